import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';

/** A server process a test owns on its own port: stop it to simulate an outage, start it again. */
export interface PrivateServer {
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and runs the cleanup given at start (e.g. removing its data directory). */
  dispose(): Promise<void>;
}

export interface PrivateServerOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly port: number;
  /** SIGKILL simulates a crash; SIGTERM a clean stop. */
  readonly stopSignal?: NodeJS.Signals;
  readonly cleanup?: () => void;
}

export async function startPrivateServer(options: PrivateServerOptions): Promise<PrivateServer> {
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(options.command, options.args, { stdio: 'ignore' });
    await waitForPort(options.port, true, 30_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(options.stopSignal ?? 'SIGTERM');
    await exited;
    await waitForPort(options.port, false);
  };
  await start();
  return {
    port: options.port,
    start,
    stop,
    dispose: async () => {
      await stop();
      options.cleanup?.();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, open: boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await isOpen(port)) === open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not ${open ? 'open' : 'close'} within ${timeoutMs} ms`);
}

function isOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
