import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createConnection } from 'mysql2/promise';
import { connect } from 'nats';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
/** Logs, pid files and server data of what this tool starts; git-ignored. */
export const LOCAL_DIR = process.env['CQRS_LOCAL_DIR'] || join(REPO_ROOT, '.local');

/** One piece of local infrastructure: how to tell it is healthy, and how to start it here. */
export interface LocalService {
  readonly name: string;
  readonly address: string;
  healthy(): Promise<boolean>;
  /** Starts the server in the background; throws a message saying what to install when it cannot. */
  start(): Promise<void>;
  /** Brings a server found running up to what this project needs (idempotent). */
  prepareRunning?(): Promise<void>;
}

export class MissingPrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPrerequisiteError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

export function mariadb(mysqlUrl: string): LocalService {
  const url = new URL(mysqlUrl);
  return {
    name: 'MariaDB',
    address: `${url.hostname}:${url.port || 3306}`,
    healthy: () =>
      succeeds(async () => {
        const conn = await createConnection({
          host: url.hostname,
          port: Number(url.port || 3306),
          user: decodeURIComponent(url.username || 'root'),
          password: decodeURIComponent(url.password),
          connectTimeout: 2_000,
        });
        await conn.query('SELECT 1');
        await conn.end();
      }),
    start: async () => {
      const bin = findBinary('mariadbd', ['/usr/sbin/mariadbd', '/usr/sbin/mysqld']);
      if (bin === undefined)
        throw new MissingPrerequisiteError(
          'MariaDB is not installed: apt-get install -y mariadb-server (or point MYSQL_URL at a running MySQL 8 / MariaDB).',
        );
      if (!existsSync('/var/lib/mysql/mysql')) run('mariadb-install-db', ['--user=mysql', '--datadir=/var/lib/mysql']);
      mkdirSync('/run/mysqld', { recursive: true });
      spawnSync('chown', ['mysql:mysql', '/run/mysqld']);
      const args = process.getuid?.() === 0 ? ['--user=mysql'] : [];
      if (url.port && url.port !== '3306') args.push(`--port=${url.port}`);
      background('mariadb', bin, args);
    },
  };
}

export function natsJetStream(natsUrl: string): LocalService {
  const url = new URL(natsUrl);
  const port = url.port || '4222';
  return {
    name: 'NATS JetStream',
    address: `${url.hostname}:${port}`,
    healthy: () =>
      succeeds(async () => {
        const nc = await connect({ servers: `${url.hostname}:${port}`, timeout: 2_000, maxReconnectAttempts: 0 });
        try {
          await (await nc.jetstreamManager()).getAccountInfo();
        } finally {
          await nc.close();
        }
      }),
    start: async () => {
      const bin = findBinary('nats-server', ['/usr/sbin/nats-server', '/usr/local/bin/nats-server']);
      if (bin === undefined)
        throw new MissingPrerequisiteError('nats-server is not installed: apt-get install -y nats-server (2.9 or newer, with JetStream).');
      const storeDir = join(LOCAL_DIR, 'nats');
      mkdirSync(storeDir, { recursive: true });
      background('nats', bin, ['-js', '-a', url.hostname, '-p', port, '-sd', storeDir]);
    },
  };
}

export interface FerretDbOptions {
  readonly mongoUrl: string;
  /** "postgresql" (default, measured faster; see README) or "sqlite". */
  readonly handler: string;
  readonly postgresUrl: string;
}

export function ferretDb(options: FerretDbOptions): LocalService {
  const url = new URL(options.mongoUrl);
  const address = `${url.hostname}:${url.port || 27017}`;
  return {
    name: 'FerretDB',
    address,
    healthy: () =>
      succeeds(async () => {
        const client = new MongoClient(options.mongoUrl, { serverSelectionTimeoutMS: 2_000 });
        try {
          await client.db('admin').command({ ping: 1 });
        } finally {
          await client.close();
        }
      }),
    start: async () => {
      const bin = ferretDbBinary();
      const args = [`--listen-addr=${address}`, `--handler=${options.handler}`];
      if (options.handler === 'sqlite') {
        const dataDir = join(LOCAL_DIR, 'ferretdb-sqlite');
        mkdirSync(dataDir, { recursive: true });
        args.push(`--sqlite-url=file:${dataDir}/`);
      } else {
        await ensurePostgresDatabase(options.postgresUrl);
        installEqualityIndexes(options.postgresUrl);
        args.push(`--postgresql-url=${options.postgresUrl}`);
      }
      background('ferretdb', bin, args);
    },
    prepareRunning: async () => {
      if (options.handler === 'postgresql') installEqualityIndexes(options.postgresUrl);
    },
  };
}

/** See the comment at the top of the file: what FerretDB v1's own indexes cannot serve. */
const EQUALITY_INDEXES_SQL = join(REPO_ROOT, 'tools/infra/sql/ferretdb-equality-indexes.sql');

/** Builds (once per machine) and returns the pinned FerretDB binary. */
function ferretDbBinary(): string {
  const result = spawnSync('bash', [join(REPO_ROOT, 'tools/scripts/go-tools.sh'), 'ferretdb'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new MissingPrerequisiteError(
      'could not build FerretDB with Go (see the messages above); Go 1.22+ and the Go module proxy are needed.',
    );
  const binDir = result.stdout.trim().split('\n').pop() ?? '';
  return join(binDir, 'ferretdb');
}

async function ensurePostgresDatabase(postgresUrl: string): Promise<void> {
  const url = new URL(postgresUrl);
  const database = url.pathname.replace(/^\//, '');
  const psql = (sql: string) =>
    spawnSync(
      'psql',
      ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), '-d', 'postgres', '-tAc', sql],
      { encoding: 'utf8' },
    );
  if (findBinary('psql', []) === undefined)
    throw new MissingPrerequisiteError('psql is not installed: apt-get install -y postgresql (or run with FERRETDB_HANDLER=sqlite).');
  let probe = psql('SELECT 1');
  if (probe.status !== 0 && isLoopback(url) && findBinary('pg_ctlcluster', []) !== undefined) {
    for (const version of spawnSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    probe = psql('SELECT 1');
  }
  if (probe.status !== 0) {
    throw new MissingPrerequisiteError(
      `PostgreSQL at ${url.host} is not reachable for FerretDB (${probe.stderr.trim()}); start it, or run with FERRETDB_HANDLER=sqlite.`,
    );
  }
  const exists = psql(`SELECT 1 FROM pg_database WHERE datname = '${database.replace(/'/g, "''")}'`).stdout.trim() === '1';
  if (!exists && psql(`CREATE DATABASE "${database.replace(/"/g, '""')}"`).status !== 0) {
    throw new MissingPrerequisiteError(`cannot create PostgreSQL database ${database} for FerretDB.`);
  }
}

function installEqualityIndexes(postgresUrl: string): void {
  const url = new URL(postgresUrl);
  const database = url.pathname.replace(/^\//, '');
  const twins = spawnSync(
    'psql',
    [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      decodeURIComponent(url.username || 'postgres'),
      '-d',
      database,
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      EQUALITY_INDEXES_SQL,
    ],
    { encoding: 'utf8' },
  );
  if (twins.status !== 0)
    throw new MissingPrerequisiteError(`cannot install the equality indexes for FerretDB in ${database}: ${twins.stderr.trim()}`);
}

function findBinary(name: string, candidates: readonly string[]): string | undefined {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return candidates.find((path) => existsSync(path));
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** Starts a detached server that outlives this command, logging to .local/logs/<name>.log. */
function background(name: string, command: string, args: readonly string[]): void {
  const logs = join(LOCAL_DIR, 'logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(LOCAL_DIR, 'run'), { recursive: true });
  const log = openSync(join(logs, `${name}.log`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  closeSync(log);
  writeFileSync(join(LOCAL_DIR, 'run', `${name}.pid`), String(child.pid));
}

/** True when the check passes within 5 s; a server that accepts connections but never answers counts as down. */
async function succeeds(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
