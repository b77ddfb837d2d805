import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';

export type AppName = 'command-service' | 'query-service' | 'projector';

export interface AppProcess {
  readonly child: ChildProcess;
  /** The gRPC port the app bound (it is started with GRPC_PORT=0 unless env says otherwise). */
  readonly port: number;
  /** Every line the app wrote to stdout and stderr so far. */
  readonly output: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * How the apps' Node.js processes run: source maps on, and the V8 heap capped at 192 MB of old
 * space unless NODE_OPTIONS sets a cap. Without a cap V8 sizes the heap from the machine's memory
 * and lets it grow long before collecting: after 3,000 creates at c=32 the command service held
 * 190 MB uncapped and 138 MB capped at 192, at the same commands per second (a cap of 128 also
 * gave 138 MB but cost about 12 % of them in extra collections). Production runs them the same way
 * (`NODE_OPTIONS=--max-old-space-size=192`); README, "Memory".
 */
export function appNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const capped = /--max-old-space-size/.test(env['NODE_OPTIONS'] ?? '');
  return ['--enable-source-maps', ...(capped ? [] : ['--max-old-space-size=192'])];
}

/**
 * Starts one app from its build output (dist/apps/<app>/main.js; the test target builds it
 * first) and waits until it logs that it listens.
 */
export async function startApp(
  app: AppName,
  env: Readonly<Record<string, string>>,
  { startTimeoutMs = 30_000, nodeArgs = [] as readonly string[] } = {},
): Promise<AppProcess> {
  const main = join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
  const child = spawn(process.execPath, [...appNodeArgs(), ...nodeArgs, main], {
    cwd: REPO_ROOT,
    env: { ...process.env, GRPC_PORT: '0', LOG_LEVEL: 'info', HEALTH_CHECK_INTERVAL_MS: '250', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${app} did not start within ${startTimeoutMs} ms:\n${output.join('\n')}`)),
      startTimeoutMs,
    );
    const onLine = (line: string) => {
      output.push(line);
      const match = /"address":"[^"]*:(\d+)".*"msg":"gRPC server listening"/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    collectLines(child.stdout, onLine);
    collectLines(child.stderr, onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited (${code}) before listening:\n${output.join('\n')}`));
    });
  });
  return {
    child,
    port,
    output,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function collectLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffered = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line) onLine(line);
  });
}

/** The lines of an app's output that are not one JSON object each (log pipelines expect nothing else). */
export function nonJsonLines(app: AppProcess): string[] {
  return app.output.filter((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed !== 'object' || parsed === null;
    } catch {
      return true;
    }
  });
}
