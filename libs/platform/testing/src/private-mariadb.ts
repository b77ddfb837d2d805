import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPrivateServer, type PrivateServer } from './private-server';

/** A MariaDB server that a test owns, with its own data directory; stopping it is a crash (SIGKILL). */
export interface PrivateMariaDb extends PrivateServer {
  readonly url: string;
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cqrs-mariadb-'));
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const server = await startPrivateServer({
    command: process.env['MARIADBD_BIN'] || 'mariadbd',
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dataDir, 'mysqld.sock')}`,
      '--skip-log-bin',
      ...asRoot,
    ],
    port,
    stopSignal: 'SIGKILL',
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  });
  return { ...server, url: `mysql://root@127.0.0.1:${port}` };
}
