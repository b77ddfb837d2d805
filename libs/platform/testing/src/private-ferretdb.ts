import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goToolPath } from './go-tools';
import { freePort, startPrivateServer, type PrivateServer } from './private-server';

/** A FerretDB (its own port and storage) that a test owns; stopping it is a crash. */
export interface PrivateFerretDb extends PrivateServer {
  readonly url: string;
}

export interface PrivateFerretDbOptions {
  /**
   * Use the machine's PostgreSQL (a database of its own, dropped on stop) with a pool of this many
   * connections, instead of SQLite in a temporary directory.
   */
  readonly postgresPoolSize?: number;
}

const POSTGRES = { host: '127.0.0.1', port: '5432', user: 'postgres' };

function psql(sql: string): void {
  const run = spawnSync('psql', ['-h', POSTGRES.host, '-p', POSTGRES.port, '-U', POSTGRES.user, '-d', 'postgres', '-qtAc', sql], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr.trim()}`);
}

export async function startPrivateFerretDb(options: PrivateFerretDbOptions = {}): Promise<PrivateFerretDb> {
  const port = await freePort();
  const storage = options.postgresPoolSize === undefined ? sqliteStorage() : postgresStorage(options.postgresPoolSize);
  const server = await startPrivateServer({
    command: goToolPath('ferretdb'),
    args: [`--listen-addr=127.0.0.1:${port}`, ...storage.args],
    port,
    stopSignal: 'SIGKILL',
    cleanup: storage.cleanup,
  });
  return { ...server, url: `mongodb://127.0.0.1:${port}` };
}

function sqliteStorage() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cqrs-ferretdb-'));
  return { args: ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`], cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

function postgresStorage(poolSize: number) {
  const database = `ferretdb_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  psql(`CREATE DATABASE ${database}`);
  return {
    args: [
      '--handler=postgresql',
      `--postgresql-url=postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}?pool_max_conns=${poolSize}&plan_cache_mode=force_custom_plan&jit=off&max_parallel_workers_per_gather=0`,
    ],
    cleanup: () => psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}
