import { inspect } from 'node:util';
import knex, { type Knex } from 'knex';
import { DependencyUnavailableError, isSocketError } from '@cqrs/errors';
import type { Logger } from '@cqrs/logging';

export interface MysqlConfig {
  /** Server URL without a database, e.g. mysql://root@127.0.0.1:3306. */
  readonly MYSQL_URL: string;
  readonly MYSQL_DATABASE: string;
  readonly MYSQL_POOL_MAX: number;
}

const CONNECTION_LOST_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);
/** The transaction lost a lock to another one: a deadlock, or a wait that timed out. */
const LOCK_CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** A unique key refused the row (ER_DUP_ENTRY); the caller knows which domain error that is. */
export class DuplicateKeyError extends Error {
  constructor(options: { cause?: unknown } = {}) {
    super('a unique key already holds this value', options);
    this.name = 'DuplicateKeyError';
  }
}

/** Another transaction held a lock this one needed (a deadlock or a lock wait timeout): it lost a race and may be retried. */
export class LockConflictError extends Error {
  constructor(options: { cause?: unknown } = {}) {
    super('the transaction lost a lock to another one', options);
    this.name = 'LockConflictError';
  }
}

export interface MysqlPoolOptions {
  /** The database to use; `null` for the server alone. The configured one by default. */
  readonly database?: string | null;
  /** Where knex's own messages go; without one, knex prints plain text to stdout. */
  readonly logger?: Logger;
}

/** A knex pool on the write database. Fails fast (5 s) rather than queueing forever when MySQL is down. */
export function createMysql(config: MysqlConfig, options: MysqlPoolOptions = {}): Knex {
  return knex(createMysqlConfig(config, options));
}

export function createMysqlConfig(config: MysqlConfig, { database = config.MYSQL_DATABASE, logger }: MysqlPoolOptions = {}): Knex.Config {
  const url = new URL(config.MYSQL_URL);
  return {
    ...(logger === undefined ? {} : { log: knexLog(logger.child({ component: 'knex' })) }),
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      ...(database === null ? {} : { database }),
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: false,
      timezone: 'Z',
      connectTimeout: 5_000,
    },
    pool: { min: 0, max: config.MYSQL_POOL_MAX },
    acquireConnectionTimeout: 5_000,
  };
}

/**
 * knex's messages as JSON log lines. Its warnings (one per failed connection attempt while MySQL
 * is down) are debug: health logs the outage once and every refused call is logged as UNAVAILABLE.
 */
function knexLog(logger: Logger): Knex.Config['log'] {
  const text = (message: unknown) => (typeof message === 'string' ? message : inspect(message));
  return {
    debug: (message: unknown) => logger.debug(text(message)),
    warn: (message: unknown) => logger.debug({ knex: 'warn' }, text(message)),
    deprecate: (message: unknown) => logger.warn({ knex: 'deprecate' }, text(message)),
    error: (message: unknown) => logger.error({ knex: 'error' }, text(message)),
  };
}

/** Creates the write database when it does not exist yet (local development and tests). */
export async function ensureDatabase(config: MysqlConfig, logger?: Logger): Promise<void> {
  const server = createMysql(config, { database: null, logger });
  try {
    await server.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', [config.MYSQL_DATABASE]);
  } catch (err) {
    throw translateMysqlError(err);
  } finally {
    await server.destroy();
  }
}

/**
 * The one place a mysql2/knex error becomes a platform error (or, for a duplicate key and a lost
 * lock, an error of this lib that its callers turn into a domain error); unknown errors pass through.
 * mysql2 marks `fatal` every error after which its connection is unusable, including the one
 * without a code that a command gets on a connection the server closed just before ("Can't add
 * new command when connection is in closed state"): the command never reached the server.
 */
export function translateMysqlError(err: unknown): unknown {
  const { code, fatal } = (err ?? {}) as { code?: unknown; fatal?: unknown };
  const isTimeout = err instanceof Error && err.name === 'KnexTimeoutError';
  if (isTimeout || fatal === true || isSocketError(err) || (typeof code === 'string' && CONNECTION_LOST_CODES.has(code))) {
    return new DependencyUnavailableError('mysql', { cause: err });
  }
  if (code === 'ER_DUP_ENTRY') return new DuplicateKeyError({ cause: err });
  if (typeof code === 'string' && LOCK_CONFLICT_CODES.has(code)) return new LockConflictError({ cause: err });
  return err;
}

export function mysqlProbe(db: Knex) {
  return {
    name: 'mysql',
    check: async () => {
      await db.raw('SELECT 1');
    },
  };
}
