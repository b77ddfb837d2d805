import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { commonV1 } from '@cqrs/contracts';
import type { Projection, ViewDocument, ViewStore } from '@cqrs/projection';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { VIEW_STORE_ENGINES_UNDER_TEST } from '@cqrs/view-store-engines';
import { ProjectionApplier, type Outcome } from './projection-applier';

jest.setTimeout(60_000);

/** A view fed by two streams: "test.counter" adds to `total`, "test.bonus" (same aggregate ids) adds to `bonus`. */
interface TallyView extends ViewDocument {
  readonly total: number;
  readonly bonus: number;
}

const tallyProjection: Projection<TallyView, commonV1.EventEnvelope> = {
  name: 'test-tallies',
  streamType: 'test.counter',
  sources: ['test.bonus'],
  collection: 'tallies',
  indexes: [],
  apply(current, envelope) {
    const by = Number(envelope.payload.toString());
    const base = current ?? { _id: envelope.aggregateId, version: 0, total: 0, bonus: 0 };
    return envelope.streamType === 'test.bonus' ? { ...base, bonus: base.bonus + by } : { ...base, total: base.total + by };
  },
  parked: (aggregateId, version) => ({ _id: aggregateId, version, total: 0, bonus: 0 }),
};

const isolated = isolatedEnvironment();
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = new MongoClient(LOCAL_URLS.MONGODB_URL);
  db = client.db(isolated.runId);
});

afterAll(async () => {
  await client.close();
  await isolated.cleanup();
});

function event(streamType: string, aggregateId: string, version: number, by: number) {
  const envelope = commonV1.EventEnvelope.fromPartial({
    eventId: randomUUID(),
    streamId: `${streamType}-${aggregateId}`,
    streamType,
    aggregateId,
    version,
    eventType: 'test.Added',
    payload: Buffer.from(String(by)),
  });
  return { envelope, deliveries: 1 };
}

/** Applies until nothing is left to retry, as a consumer would with redeliveries. */
async function applyAll(applier: ProjectionApplier<TallyView>, events: ReturnType<typeof event>[]): Promise<Outcome[]> {
  let pending = events;
  const seen: Outcome[] = [];
  for (let round = 0; pending.length > 0 && round < 50; round++) {
    const { outcomes } = await applier.applyBatch(pending);
    seen.push(...outcomes);
    pending = pending.filter((_, i) => outcomes[i] === 'retry' || outcomes[i] === 'gap');
  }
  expect(pending).toEqual([]);
  return seen;
}

describe.each(VIEW_STORE_ENGINES_UNDER_TEST)(
  'a projection fed by several streams, $engine engine',
  ({ engine, open, atomicCompareAndSet }) => {
    let store: ViewStore;
    const collection = `tallies_${engine.replace(/\W/g, '_')}`;
    beforeAll(() => {
      store = open(db);
    });
    const applierOf = () => new ProjectionApplier(db, store, tallyProjection, { collection });
    const views = () => store.collection(tallyProjection, collection);

    it('keeps a version per source: events of one source are neither gaps nor duplicates of the other', async () => {
      const applier = applierOf();
      const id = randomUUID();
      const outcomes = await applyAll(applier, [
        event('test.bonus', id, 1, 100),
        event('test.counter', id, 1, 1),
        event('test.counter', id, 2, 2),
        event('test.bonus', id, 2, 200),
      ]);
      expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
      const view = await views().get(id);
      expect(view).toMatchObject({ total: 3, bonus: 300, version: 2, sourceVersions: { test_bonus: 2 } });

      const again = await applier.applyBatch([
        event('test.bonus', id, 2, 200),
        event('test.counter', id, 1, 1),
        event('test.bonus', id, 4, 400),
      ]);
      expect(again.outcomes).toEqual(['duplicate', 'duplicate', 'gap']);
      expect(again.gaps.get(id)).toEqual({ have: 2, waiting: 4 });
    });

    // Needs a compare-and-set that two racing writers cannot both win: the engine's own, or the server's where it is atomic.
    (atomicCompareAndSet ? it : it.skip)(
      'two writers, one per source, racing on the same views: every event takes effect exactly once',
      async () => {
        const [counters, bonuses] = [applierOf(), applierOf()];
        const ids = Array.from({ length: 5 }, () => randomUUID());
        const stream = (streamType: string, by: number) =>
          ids.flatMap((id) => Array.from({ length: 20 }, (_, v) => event(streamType, id, v + 1, by)));
        // Delivered in small batches with duplicates, as redeliveries would.
        const batches = (events: ReturnType<typeof event>[]) =>
          Array.from({ length: Math.ceil(events.length / 7) }, (_, i) => [
            ...events.slice(i * 7, i * 7 + 7),
            ...events.slice(i * 7, i * 7 + 2),
          ]);
        await Promise.all([
          (async () => {
            for (const batch of batches(stream('test.counter', 1))) await applyAll(counters, batch);
          })(),
          (async () => {
            for (const batch of batches(stream('test.bonus', 10))) await applyAll(bonuses, batch);
          })(),
        ]);
        const stored = await Promise.all(ids.map((id) => views().get(id)));
        expect(stored).toHaveLength(5);
        for (const view of stored)
          expect(view).toMatchObject({
            total: 20,
            bonus: 200,
            version: 20,
            sourceVersions: { test_bonus: 20 },
            revision: expect.any(Number),
          });
      },
    );
  },
);
