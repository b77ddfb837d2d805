import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { commonV1 } from '@cqrs/contracts';
import type { ViewStore } from '@cqrs/projection';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { VIEW_STORE_ENGINES_UNDER_TEST } from '@cqrs/view-store-engines';
import { DeadLetters } from './dead-letters';
import { ProjectionApplier } from './projection-applier';
import { rebuildProjection } from './rebuild';
import { counterProjection, type CounterView } from './test-counter.projection';
import { ViewCatalog } from './view-catalog';

jest.setTimeout(60_000);

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

let position = 0;
function event(aggregateId: string, version: number, by = 1, eventType = 'test.Added'): commonV1.EventEnvelope {
  return commonV1.EventEnvelope.fromPartial({
    eventId: randomUUID(),
    streamId: `test.counter-${aggregateId}`,
    streamType: 'test.counter',
    aggregateId,
    version,
    position: ++position,
    eventType,
    payload: Buffer.from(String(by)),
  });
}
const incoming = (envelope: commonV1.EventEnvelope, deliveries = 1) => ({ envelope, deliveries });

/** A store whose first read of a view answers `stale`: the writer then writes over a view another writer moved on. */
function readingStale(store: ViewStore, stale: CounterView): ViewStore {
  return {
    engine: store.engine,
    collection: (spec, name) => {
      const views = store.collection(spec, name);
      let first = true;
      return Object.assign(Object.create(views) as typeof views, {
        get: async (id: string) => {
          if (!first) return views.get(id);
          first = false;
          return stale as never;
        },
      });
    },
  };
}

describe.each(VIEW_STORE_ENGINES_UNDER_TEST)('ProjectionApplier, $engine engine on the local view store', ({ engine, open }) => {
  let store: ViewStore;
  let collection: string;
  beforeAll(async () => {
    store = open(db);
    collection = `counters_${engine.replace(/\W/g, '_')}`;
    await store.collection(counterProjection, collection).ensureIndexes();
  });
  const views = () => store.collection(counterProjection, collection);
  const view = (id: string) => views().get(id);
  const applier = (options = {}) => new ProjectionApplier(db, store, counterProjection, { maxDeliveries: 3, collection, ...options });

  it('applies a batch in order per aggregate, searchable by its tags', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const { outcomes, changed } = await applier().applyBatch([incoming(event(a, 1, 2)), incoming(event(b, 1)), incoming(event(a, 2, 3))]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(changed).toEqual(
      new Map([
        [a, 2],
        [b, 1],
      ]),
    );
    expect(await view(a)).toMatchObject({ version: 2, total: 5 });
    expect((await views().search({ tokens: ['t5'], want: 10 })).views.map((v) => v._id)).toContain(a);
    expect((await views().search({ tokens: ['t2'], want: 10 })).views.map((v) => v._id)).not.toContain(a);
  });

  it('acknowledges and skips duplicates and older events without changing the view', async () => {
    const a = randomUUID();
    const first = event(a, 1, 4);
    await applier().applyBatch([incoming(first), incoming(event(a, 2, 1))]);
    const before = await view(a);
    const { outcomes, changed } = await applier().applyBatch([incoming(first), incoming(event(a, 2, 100)), incoming(first)]);
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(changed.size).toBe(0);
    expect(await view(a)).toEqual(before);
  });

  it('never applies an event after a gap; applies it once the gap is filled', async () => {
    const a = randomUUID();
    await applier().applyBatch([incoming(event(a, 1))]);
    const early = event(a, 3, 10);
    const { outcomes } = await applier().applyBatch([incoming(early)]);
    expect(outcomes).toEqual(['gap']);
    expect(await view(a)).toMatchObject({ version: 1, total: 1 });

    const second = await applier().applyBatch([incoming(event(a, 2, 5)), incoming(early)]);
    expect(second.outcomes).toEqual(['applied', 'applied']);
    expect(await view(a)).toMatchObject({ version: 3, total: 16 });
  });

  it('retries a failing event, then parks it with its error and goes on with the next one', async () => {
    const a = randomUUID();
    await applier().applyBatch([incoming(event(a, 1))]);
    const poison = event(a, 2, 0, 'test.Poison');
    expect((await applier().applyBatch([incoming(poison, 1)])).outcomes).toEqual(['retry']);
    expect((await applier().applyBatch([incoming(poison, 2)])).outcomes).toEqual(['retry']);
    const parked = await applier().applyBatch([incoming(poison, 3), incoming(event(a, 3, 7))]);
    expect(parked.outcomes).toEqual(['parked', 'applied']);
    expect(await view(a)).toMatchObject({ version: 3, total: 8, parkedVersions: [2] });
    const letters = await new DeadLetters(db).list('test-counters');
    expect(letters.find((l) => l.aggregateId === a)).toMatchObject({
      version: 2,
      eventType: 'test.Poison',
      error: 'cannot apply poison',
      deliveries: 3,
    });
  });

  it('does not overwrite a view another writer moved on meanwhile (compare-and-set)', async () => {
    const a = randomUUID();
    await applier().applyBatch([incoming(event(a, 1))]);
    // Another writer moves the view on between this writer's read (version 1) and its write.
    const stale = await view(a);
    if (stale === undefined) throw new Error('no view');
    await db.collection<CounterView>(collection).updateOne({ _id: a }, { $set: { version: 3, total: 50 } });
    const racing = new ProjectionApplier(db, readingStale(store, stale), counterProjection, { collection });

    const { outcomes } = await racing.applyBatch([incoming(event(a, 2))]);
    expect(outcomes).toEqual(['retry']);
    expect(await view(a)).toMatchObject({ version: 3, total: 50 });
  });

  it('reads a cached view again when another writer moved it on: no false gap, no lost write', async () => {
    const a = randomUUID();
    const cached = applier({ viewCacheSize: 100 });
    const other = applier();
    const [v1, v2, v3, v4] = [event(a, 1, 1), event(a, 2, 10), event(a, 3, 100), event(a, 4, 1000)];
    await cached.applyBatch([incoming(v1)]);
    await other.applyBatch([incoming(v2)]);
    // The cache says version 1; version 3 does not follow it, so the view is read: no gap.
    expect((await cached.applyBatch([incoming(v3)])).outcomes).toEqual(['applied']);
    expect(await view(a)).toMatchObject({ version: 3, total: 111 });
    await other.applyBatch([incoming(v4)]);
    // Version 4 follows the cached 3, but the other writer applied it: the compare-and-set fails and
    // the event is not applied twice.
    await cached.applyBatch([incoming(v4, 2)]);
    expect(await view(a)).toMatchObject({ version: 4, total: 1111 });
    expect((await cached.applyBatch([incoming(event(a, 5, 10000))])).outcomes).toEqual(['applied']);
    expect(await view(a)).toMatchObject({ version: 5, total: 11111 });
  });

  it('rebuilds from the source into fresh collections and swaps them in, equal to the live views', async () => {
    const events: commonV1.EventEnvelope[] = [];
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (let v = 1; v <= 5; v++) for (const id of ids) events.push(event(id, v, v));
    const projection = { ...counterProjection, name: `${counterProjection.name}-${engine}`, collection: `${collection}_live` };
    const live = new ProjectionApplier(db, store, projection);
    await live.applyBatch(events.map((e) => incoming(e)));
    const catalog = new ViewCatalog(db, 0);
    const progress: number[] = [];
    const liveViews = await db
      .collection(projection.collection)
      .find({ _id: { $in: ids } } as never)
      .sort({ _id: 1 })
      .toArray();

    const summary = await rebuildProjection(
      db,
      store,
      projection,
      catalog,
      { read: async (after, limit) => events.filter((e) => e.position > after).slice(0, limit), count: async () => events.length },
      { batchSize: 4, settleMs: 10, onProgress: ({ done }) => progress.push(done) },
    );

    expect(summary.events).toBe(15);
    expect(progress).toEqual([4, 8, 12, 15]);
    const active = await catalog.active(projection);
    expect(active.collection).toBe(summary.collections.collection);
    expect(active.collection).not.toBe(projection.collection);
    const rebuilt = await db
      .collection(active.collection)
      .find({ _id: { $in: ids } } as never)
      .sort({ _id: 1 })
      .toArray();
    expect(rebuilt).toEqual(liveViews);
  });
});
