import { captureConsole } from './capture-console';
import { createLogger } from './create-logger';

describe('captureConsole', () => {
  const saved = { ...console };
  const savedWarningListeners = process.listeners('warning');
  afterEach(() => {
    Object.assign(console, saved);
    process.removeAllListeners('warning');
    for (const listener of savedWarningListeners) process.on('warning', listener);
  });

  it('turns console output into JSON lines at its level', () => {
    const lines: Record<string, unknown>[] = [];
    captureConsole(createLogger('x', 'debug', { write: (line: string) => void lines.push(JSON.parse(line)) }));
    console.warn('%s lost', 'Connection');
    console.error(new Error('boom'));
    console.log('plain', 1);
    expect(lines.map(({ level, msg, source }) => ({ level, msg: String(msg).split('\n')[0], source }))).toEqual([
      { level: 'warn', msg: 'Connection lost', source: 'console' },
      { level: 'error', msg: 'Error: boom', source: 'console' },
      { level: 'info', msg: 'plain 1', source: 'console' },
    ]);
  });
});
