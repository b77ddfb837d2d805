import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { ViewDocument, ViewSpec } from '@cqrs/projection';
import { startPrivateFerretDb, type PrivateFerretDb } from '@cqrs/testing';
import { WRITE_CHUNK_SIZE } from './chunked-bulk-write';
import { ferretDbV1ViewStore } from './ferretdb-view-store';

jest.setTimeout(60_000);

const POOL = 20;
const COUNTERS = 3 * POOL;

interface CounterView extends ViewDocument {
  readonly total: number;
}
const counters: ViewSpec<CounterView> = { name: 'test-counters', collection: 'counters', indexes: [] };

/**
 * FerretDB v1 on PostgreSQL holds a connection per matched update statement until the command
 * ends, so one bulk write that updates more documents than its pool has connections never ends.
 * The engine's writes stay below that, however large the batch.
 */
describe('the ferretdb-v1 engine against a FerretDB with a small PostgreSQL pool', () => {
  let ferret: PrivateFerretDb;
  let client: MongoClient;

  beforeAll(async () => {
    ferret = await startPrivateFerretDb({ postgresPoolSize: POOL });
    client = new MongoClient(ferret.url, { serverSelectionTimeoutMS: 5_000 });
  });

  afterAll(async () => {
    await client?.close(true);
    await ferret?.dispose();
  });

  it(`updates ${COUNTERS} existing views in one batch (pool of ${POOL} connections)`, async () => {
    expect(WRITE_CHUNK_SIZE).toBeLessThan(POOL);
    const views = ferretDbV1ViewStore(client.db('pool')).collection(counters);
    const ids = Array.from({ length: COUNTERS }, () => randomUUID());
    const first = ids.map((id) => ({ id, current: undefined, next: { _id: id, version: 1, total: 1 } }));
    expect((await views.write(first, 'version')).size).toBe(COUNTERS);
    const second = first.map((w) => ({ id: w.id, current: w.next, next: { ...w.next, version: 2, total: 2 } }));
    expect((await views.write(second, 'version')).size).toBe(COUNTERS);

    const stored = await client.db('pool').collection(counters.collection).find({}).toArray();
    expect(stored.map((v) => v['version'])).toEqual(ids.map(() => 2));
  });
});
