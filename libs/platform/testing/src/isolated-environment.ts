import { MongoClient } from 'mongodb';
import { createConnection } from 'mysql2/promise';
import { connect, type NatsError } from 'nats';
import { eventStreamNamePrefix } from '@cqrs/contracts';
import { newRunId } from './run-id';

/** JetStream API error code of a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;

export const LOCAL_URLS = {
  MYSQL_URL: process.env['MYSQL_URL'] || 'mysql://root@127.0.0.1:3306',
  NATS_URL: process.env['NATS_URL'] || 'nats://127.0.0.1:4222',
  MONGODB_URL: process.env['MONGODB_URL'] || 'mongodb://127.0.0.1:27017',
};

export interface IsolatedEnvironment {
  readonly runId: string;
  /** Environment variables that point an app at this run's own database, stream and view database. */
  readonly env: Readonly<Record<string, string>>;
  /** Drops the MySQL database, the JetStream stream and the view database this run used. */
  cleanup(): Promise<void>;
}

/**
 * Names of a test run's own MySQL database, JetStream stream (with its own subject prefix, as
 * streams may not overlap) and MongoDB view database, so runs can go side by side.
 */
export function isolatedEnvironment(prefix = 't'): IsolatedEnvironment {
  const runId = `${prefix}_${newRunId()}`;
  const env = {
    ...LOCAL_URLS,
    MYSQL_DATABASE: runId,
    NATS_STREAM: runId.toUpperCase(),
    NATS_SUBJECT_PREFIX: runId,
    MONGODB_DATABASE: runId,
  };
  return {
    runId,
    env,
    cleanup: async () => {
      await Promise.all([dropMysqlDatabase(env.MYSQL_DATABASE), dropStreams(env.NATS_STREAM), dropViewDatabase(env.MONGODB_DATABASE)]);
    },
  };
}

async function dropMysqlDatabase(name: string): Promise<void> {
  const url = new URL(LOCAL_URLS.MYSQL_URL);
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Deletes the run's event streams (one per stream type). */
async function dropStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: LOCAL_URLS.NATS_URL.replace(/^nats:\/\//, '') });
  try {
    const jsm = await nc.jetstreamManager();
    for await (const name of jsm.streams.names()) {
      if (!name.startsWith(eventStreamNamePrefix(prefix))) continue;
      // Gone already (another cleanup got there first): JetStream's "stream not found" code. The platform's
      // translation lives in @cqrs/messaging, whose tests use this lib, so it is read here directly.
      await jsm.streams.delete(name).catch((err: unknown) => {
        if ((err as NatsError).api_error?.err_code !== STREAM_NOT_FOUND) throw err;
      });
    }
  } finally {
    await nc.close();
  }
}

async function dropViewDatabase(name: string): Promise<void> {
  const client = new MongoClient(LOCAL_URLS.MONGODB_URL, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
