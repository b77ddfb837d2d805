import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startPrivateFerretDb, type PrivateFerretDb } from '@cqrs/testing';
import { VIEW_STORE_ENGINES_UNDER_TEST } from '@cqrs/view-store-engines';
import { counterProjection } from './test-counter.projection';

jest.setTimeout(60_000);

const POOL = 20;
const COUNTERS = 3 * POOL;

/**
 * The local view store answers an update command that holds more documents than its backend pool
 * has connections never, and then answers nobody: every engine, as the wiring opens it for this
 * server, writes a batch far larger than the pool.
 */
describe.each(VIEW_STORE_ENGINES_UNDER_TEST)('$engine engine against a view store with a small backend pool', ({ open }) => {
  let server: PrivateFerretDb;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startPrivateFerretDb({ postgresPoolSize: POOL });
    client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5_000 });
  });

  afterAll(async () => {
    await client?.close(true);
    await server?.dispose();
  });

  it(`updates ${COUNTERS} existing views in one batch (pool of ${POOL} connections)`, async () => {
    const views = open(client.db('pool')).collection(counterProjection);
    const ids = Array.from({ length: COUNTERS }, () => randomUUID());
    const first = ids.map((id) => ({ id, current: undefined, next: { _id: id, version: 1, total: 1, tags: [] } }));
    expect((await views.write(first, 'version')).size).toBe(COUNTERS);
    const second = first.map((w) => ({ id: w.id, current: w.next, next: { ...w.next, version: 2, total: 2 } }));
    expect((await views.write(second, 'version')).size).toBe(COUNTERS);
    expect((await Promise.all(ids.map((id) => views.get(id)))).map((v) => v?.version)).toEqual(ids.map(() => 2));
  });
});
