import knex, { type Knex } from 'knex';
import { DependencyUnavailableError, isSocketError } from '@cqrs/errors';

export interface MysqlConfig {
  /** Server URL without a database, e.g. mysql://root@127.0.0.1:3306. */
  readonly MYSQL_URL: string;
  readonly MYSQL_DATABASE: string;
  readonly MYSQL_POOL_MAX: number;
}

const CONNECTION_LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** A knex pool on the write database. Fails fast (5 s) rather than queueing forever when MySQL is down. */
export function createMysql(config: MysqlConfig, database: string | null = config.MYSQL_DATABASE): Knex {
  return knex(createMysqlConfig(config, database));
}

export function createMysqlConfig(config: MysqlConfig, database: string | null = config.MYSQL_DATABASE): Knex.Config {
  const url = new URL(config.MYSQL_URL);
  return {
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

/** Creates the write database when it does not exist yet (local development and tests). */
export async function ensureDatabase(config: MysqlConfig): Promise<void> {
  const server = createMysql(config, null);
  try {
    await server.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', [config.MYSQL_DATABASE]);
  } catch (err) {
    throw translateMysqlError(err);
  } finally {
    await server.destroy();
  }
}

/**
 * The one place a mysql2/knex error becomes a platform error; unknown errors pass through.
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
