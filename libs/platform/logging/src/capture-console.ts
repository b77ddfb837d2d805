import { format } from 'node:util';
import type { Logger } from 'pino';

/**
 * Sends what drivers print with console.* (mysql2 warns that way) and Node's process warnings
 * through the logger, so every line an app writes is one JSON object. Call it once, in main.
 */
export function captureConsole(logger: Logger): void {
  const from = logger.child({ source: 'console' });
  const to =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      from[level](format(...args));
  console.debug = to('debug');
  console.trace = to('debug');
  console.log = to('info');
  console.info = to('info');
  console.warn = to('warn');
  console.error = to('error');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => from.warn({ err: warning }, 'process warning'));
}
