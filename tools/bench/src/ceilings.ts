import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { MongoClient } from 'mongodb';
import { connect, StorageType } from 'nats';
import pino from 'pino';
import { startGrpcServer } from '@cqrs/grpc-kit';
import { WRITE_CHUNK_SIZE } from '@cqrs/view-store-ferretdb';
import { createMysql } from '@cqrs/write-store';
import { round, type Figure } from './figures';
import { ghz } from './ghz';

export interface CeilingSizes {
  readonly transactions: number;
  readonly publishes: number;
  readonly upserts: number;
  readonly finds: number;
  readonly rpcs: number;
  readonly concurrency: number;
}

const SCENARIO = 'ceilings';

async function rate(count: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return round(count / ((performance.now() - started) / 1000), 1);
}

async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Raw knex/mysql2: transactions inserting one row shaped like an event, at the commands' concurrency. */
export async function mysqlInsertCeiling(env: Record<string, string>, sizes: CeilingSizes): Promise<Figure> {
  const db: Knex = createMysql({
    MYSQL_URL: env['MYSQL_URL'] ?? '',
    MYSQL_DATABASE: env['MYSQL_DATABASE'] ?? '',
    MYSQL_POOL_MAX: sizes.concurrency,
  });
  try {
    await db.raw('CREATE TABLE IF NOT EXISTS bench_events LIKE events');
    const payload = Buffer.alloc(120, 1);
    const value = await rate(sizes.transactions, () =>
      inParallel(sizes.transactions, sizes.concurrency, async (i) => {
        await db.transaction(async (trx) => {
          await trx('bench_events').insert({
            event_id: randomUUID(),
            stream_id: `bench-${i}`,
            stream_type: 'bench',
            version: 1,
            event_type: 'bench.Event',
            schema_version: 1,
            payload,
            metadata: '{}',
            occurred_at: new Date(),
          });
        });
      }),
    );
    return { scenario: SCENARIO, name: `raw MySQL insert transactions (c=${sizes.concurrency})`, rate: value, count: sizes.transactions };
  } finally {
    await db.raw('DROP TABLE IF EXISTS bench_events').catch(() => undefined);
    await db.destroy();
  }
}

/** Raw JetStream async publishes with Nats-Msg-Id, all in flight, same message size as an event envelope. */
export async function jetStreamPublishCeiling(env: Record<string, string>, sizes: CeilingSizes): Promise<Figure> {
  const nc = await connect({ servers: (env['NATS_URL'] ?? '').replace('nats://', '') });
  const stream = `BENCH_${randomUUID().slice(0, 8).toUpperCase()}`;
  const subject = `${stream.toLowerCase()}.bench`;
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${subject}.>`], storage: StorageType.File });
    const js = nc.jetstream();
    const data = Buffer.alloc(300, 7);
    const value = await rate(sizes.publishes, async () => {
      for (let start = 0; start < sizes.publishes; start += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, sizes.publishes - start) }, (_, k) =>
            js.publish(`${subject}.${(start + k) % 100}`, data, { msgID: randomUUID() }),
          ),
        );
      }
    });
    await jsm.streams.delete(stream);
    return { scenario: SCENARIO, name: 'raw JetStream async publish', rate: value, count: sizes.publishes };
  } finally {
    await nc.close();
  }
}

/**
 * Raw driver bulk upserts of new documents, compare-and-set replaces of those documents (a
 * projector's write: filter on id and version; 16 per command, as FerretDB v1 needs, see
 * chunkedBulkWrite), and findOne by id, against the same FerretDB.
 */
export async function mongoCeilings(env: Record<string, string>, sizes: CeilingSizes): Promise<Figure[]> {
  const client = new MongoClient(env['MONGODB_URL'] ?? '');
  const collection = client.db(env['MONGODB_DATABASE']).collection<{ _id: string; name: string; version: number }>('bench_raw');
  try {
    const upserts = await rate(sizes.upserts, async () => {
      for (let start = 0; start < sizes.upserts; start += 256) {
        const ops = Array.from({ length: Math.min(256, sizes.upserts - start) }, (_, k) => ({
          replaceOne: {
            filter: { _id: `p${start + k}` },
            replacement: { _id: `p${start + k}`, name: `Product ${start + k}`, version: 1 },
            upsert: true,
          },
        }));
        await collection.bulkWrite(ops, { ordered: false });
      }
    });
    const replaces = await rate(sizes.upserts, async () => {
      for (let start = 0; start < sizes.upserts; start += WRITE_CHUNK_SIZE) {
        const ops = Array.from({ length: Math.min(WRITE_CHUNK_SIZE, sizes.upserts - start) }, (_, k) => ({
          replaceOne: {
            filter: { _id: `p${start + k}`, version: 1 },
            replacement: { _id: `p${start + k}`, name: `Product ${start + k}`, version: 2 },
          },
        }));
        await collection.bulkWrite(ops, { ordered: false });
      }
    });
    const finds = await rate(sizes.finds, () =>
      inParallel(sizes.finds, sizes.concurrency, async (i) => void (await collection.findOne({ _id: `p${i % sizes.upserts}` }))),
    );
    await collection.drop().catch(() => undefined);
    return [
      { scenario: SCENARIO, name: 'raw MongoDB-driver bulk upserts', rate: upserts, count: sizes.upserts },
      {
        scenario: SCENARIO,
        name: 'raw MongoDB-driver compare-and-set replaces of existing documents',
        rate: replaces,
        count: sizes.upserts,
      },
      { scenario: SCENARIO, name: `raw MongoDB-driver findOne by id (c=${sizes.concurrency})`, rate: finds, count: sizes.finds },
    ];
  } finally {
    await client.close();
  }
}

/** grpc-js unary RPC with a trivial handler (health check on a server with no dependencies), through ghz. */
export async function grpcEmptyCeiling(sizes: CeilingSizes): Promise<Figure> {
  const server = await startGrpcServer({
    config: {
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: 0,
      GRPC_MAX_MESSAGE_BYTES: 4 * 1024 * 1024,
      GRPC_KEEPALIVE_TIME_MS: 30_000,
      GRPC_KEEPALIVE_TIMEOUT_MS: 10_000,
      HEALTH_CHECK_INTERVAL_MS: 60_000,
      SHUTDOWN_TIMEOUT_MS: 1_000,
    },
    logger: pino({ level: 'silent' }),
    services: [],
    probes: [],
  });
  try {
    const figure = await ghz(SCENARIO, `grpc-js empty unary RPC (c=${sizes.concurrency})`, {
      call: 'grpc.health.v1.Health/Check',
      address: `127.0.0.1:${server.port}`,
      data: {},
      concurrency: sizes.concurrency,
      total: sizes.rpcs,
    });
    return figure;
  } finally {
    await server.shutdown();
  }
}
