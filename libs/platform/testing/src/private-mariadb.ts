import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './private-nats';

/** A MariaDB server that a test owns: its own data directory and port, stoppable and restartable. */
export interface PrivateMariaDb {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cqrs-mariadb-'));
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      process.env['MARIADBD_BIN'] || 'mariadbd',
      ['--no-defaults', `--datadir=${dataDir}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dataDir, 'mysqld.sock')}`, '--skip-log-bin', ...asRoot],
      { stdio: 'ignore' },
    );
    await waitForPort(port, true, 30_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    await waitForPort(port, false);
  };
  await start();
  return {
    url: `mysql://root@127.0.0.1:${port}`,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
