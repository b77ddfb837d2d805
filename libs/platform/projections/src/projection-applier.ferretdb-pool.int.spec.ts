import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { commonV1 } from '@cqrs/contracts';
import { startPrivateFerretDb, type PrivateFerretDb } from '@cqrs/testing';
import { ProjectionApplier } from './projection-applier';
import { WRITE_CHUNK_SIZE } from './chunked-bulk-write';
import { counterProjection } from './test-counter.projection';

jest.setTimeout(60_000);

const POOL = 20;
const COUNTERS = 3 * POOL;

/**
 * FerretDB v1 on PostgreSQL holds a connection per matched update statement until the command
 * ends, so one bulk write that updates more documents than its pool has connections never ends.
 * The applier's writes stay below that, however large the batch.
 */
describe('ProjectionApplier against a FerretDB with a small PostgreSQL pool', () => {
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
    const applier = new ProjectionApplier(client.db('pool'), counterProjection);
    const ids = Array.from({ length: COUNTERS }, () => randomUUID());
    const envelope = (aggregateId: string, version: number) =>
      commonV1.EventEnvelope.fromPartial({
        eventId: randomUUID(),
        streamType: 'test.counter',
        streamId: `test.counter-${aggregateId}`,
        aggregateId,
        version,
        eventType: 'test.Added',
        payload: Buffer.from('1'),
      });

    await applier.applyBatch(ids.map((id) => ({ envelope: envelope(id, 1), deliveries: 1 })));
    const { outcomes } = await applier.applyBatch(ids.map((id) => ({ envelope: envelope(id, 2), deliveries: 1 })));

    expect(outcomes.every((o) => o === 'applied')).toBe(true);
    const views = await client.db('pool').collection(counterProjection.collection).find({}).toArray();
    expect(views.map((v) => v['version'])).toEqual(ids.map(() => 2));
  });
});
