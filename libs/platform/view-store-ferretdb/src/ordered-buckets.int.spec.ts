import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { commonV1 } from '@cqrs/contracts';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { BucketDirectories } from './bucket-directories';
import { BucketMaintainer, MAX_BUCKET_SIZE } from './bucket-maintainer';
import { scanInOrder } from './bucketed-scan';
import type { OrderPosition, ViewDocument, ViewSpec } from '@cqrs/projection';
import { bucketed, ferretDbV1ViewStore } from './ferretdb-view-store';
import { bucketIndexOf, directoriesCollection } from './ordered-buckets';

jest.setTimeout(180_000);

/** A view with a rank set by each event (payload "delete" takes it out of the order). */
interface RankedView extends ViewDocument {
  readonly rank: number;
  readonly gone: boolean;
}

const rankedSpec: ViewSpec<RankedView> = {
  name: 'test-ranked',
  collection: 'ranked',
  indexes: [],
  orders: [{ name: 'rank', key: (v) => (v.gone ? undefined : [v.rank, v._id]) }],
};
const byRank = bucketed(rankedSpec.orders?.[0] ?? { name: 'rank', key: () => undefined });

function applyRanked(current: RankedView | undefined, envelope: commonV1.EventEnvelope): RankedView {
  const text = envelope.payload.toString();
  const base = current ?? { _id: envelope.aggregateId, version: 0, rank: 0, gone: false };
  return text === 'delete'
    ? { ...base, version: envelope.version, gone: true }
    : { ...base, version: envelope.version, rank: Number(text) };
}

const isolated = isolatedEnvironment();
let client: MongoClient;
let db: Db;
let collection: string;

beforeAll(async () => {
  client = new MongoClient(LOCAL_URLS.MONGODB_URL);
  db = client.db(isolated.runId);
});

afterAll(async () => {
  await client.close();
  await isolated.cleanup();
});

beforeEach(() => {
  collection = `ranked_${randomUUID().slice(0, 8)}`;
});

const versions = new Map<string, number>();
function event(aggregateId: string, payload: string): { envelope: commonV1.EventEnvelope; deliveries: number } {
  const version = (versions.get(aggregateId) ?? 0) + 1;
  versions.set(aggregateId, version);
  const envelope = commonV1.EventEnvelope.fromPartial({
    eventId: randomUUID(),
    streamType: 'test.ranked',
    aggregateId,
    version,
    eventType: 'test.Ranked',
    payload: Buffer.from(payload),
  });
  return { envelope, deliveries: 1 };
}

/** Applies a batch through the engine as the projection runtime would: read each view, apply its events, one write. */
const applier = () => ({
  async applyBatch(events: readonly { envelope: commonV1.EventEnvelope }[]): Promise<{ outcomes: string[] }> {
    const views = ferretDbV1ViewStore(db).collection(rankedSpec, collection);
    const writes = new Map<string, { current: RankedView | undefined; next: RankedView }>();
    for (const { envelope } of events) {
      const id = envelope.aggregateId;
      const current = writes.has(id) ? writes.get(id)?.current : await views.get(id);
      writes.set(id, { current, next: applyRanked(writes.get(id)?.next ?? current, envelope) });
    }
    const written = await views.write(
      [...writes].map(([id, w]) => ({ id, ...w })),
      'version',
    );
    return { outcomes: events.map((e) => (written.has(e.envelope.aggregateId) ? 'applied' : 'retry')) };
  },
});

/** Ranks in a scrambled but repeatable order, with ties, so buckets split in the middle as well as at the end. */
const rankOf = (i: number) => (i * 7919) % 500;

async function createViews(count: number, batch = 100): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (let start = 0; start < count; start += batch) {
    const { outcomes } = await applier().applyBatch(ids.slice(start, start + batch).map((id, k) => event(id, String(rankOf(start + k)))));
    expect(outcomes.every((o) => o === 'applied')).toBe(true);
  }
  return ids;
}

async function pageThrough(pageSize: number, descending = false, between?: () => Promise<void>): Promise<RankedView[]> {
  const seen: RankedView[] = [];
  let after: OrderPosition | undefined;
  for (;;) {
    const { views, resume } = await scanInOrder<RankedView>(db, collection, { order: byRank, after, descending, want: pageSize + 1 });
    const page = views.slice(0, pageSize);
    seen.push(...page);
    const last = page[page.length - 1];
    if (views.length > pageSize && last !== undefined) after = { key: [last.rank, last._id] };
    else if (resume !== undefined) after = resume;
    else return seen;
    await between?.();
  }
}

const sortedIds = (views: readonly RankedView[], descending = false) =>
  [...views].sort((a, b) => (a.rank - b.rank || (a._id < b._id ? -1 : 1)) * (descending ? -1 : 1)).map((v) => v._id);

describe('ordered buckets on FerretDB', () => {
  it('splits buckets as views arrive and pages through them in order both ways, each bucket an equality lookup', async () => {
    await ferretDbV1ViewStore(db).collection(rankedSpec, collection).ensureIndexes();
    await createViews(700);
    const all = await db.collection<RankedView>(collection).find().toArray();
    const directory = await new BucketDirectories(db, collection).read(byRank);
    expect(directory.buckets.length).toBeGreaterThanOrEqual(700 / MAX_BUCKET_SIZE);
    expect(directory.buckets.every((b) => b.splitFrom === undefined)).toBe(true);
    expect(directory.revision).toBeGreaterThan(10);
    // The copy plus the last few revisions; older revisions are deleted as new ones come.
    expect(await db.collection(directoriesCollection(collection)).countDocuments()).toBeLessThanOrEqual(9);
    for (const bucket of directory.buckets) {
      expect(await db.collection(collection).countDocuments({ rankBucket: bucket.id })).toBeLessThanOrEqual(MAX_BUCKET_SIZE);
    }
    expect((await pageThrough(25)).map((v) => v._id)).toEqual(sortedIds(all));
    expect((await pageThrough(40, true)).map((v) => v._id)).toEqual(sortedIds(all, true));

    const explained = await db.command({ explain: { find: collection, filter: { rankBucket: directory.buckets[1]?.id } } });
    expect(explained['filterPushdown']).toBe(true);
  });

  it('neither skips nor repeats a view while others are created, re-ranked and deleted between pages', async () => {
    const ids = await createViews(400);
    const before = await db.collection<RankedView>(collection).find().toArray();
    const moving = new Set(ids.slice(0, 40));
    let round = 0;
    const seen = await pageThrough(20, false, async () => {
      round++;
      await applier().applyBatch([
        ...Array.from({ length: 30 }, (_, k) => event(randomUUID(), String(rankOf(round * 31 + k)))),
        event(ids[round] ?? '', String(rankOf(round + 3))),
        ...(round === 5 ? [event(ids[1] ?? '', 'delete')] : []),
      ]);
    });
    // A view whose key changes while one pages may move across the cursor (and be seen twice); no other may.
    const seenIds = seen.map((v) => v._id).filter((id) => !moving.has(id));
    expect(new Set(seenIds).size).toBe(seenIds.length);
    const missing = before.filter((v) => !seenIds.includes(v._id) && !moving.has(v._id));
    expect(missing).toEqual([]);
    const ranks = seen.filter((v) => !moving.has(v._id)).map((v) => v.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(seenIds.length).toBeGreaterThan(before.length);
  });

  it('files every view where the directory says when three writers add views at once', async () => {
    const writers = [applier(), applier(), applier()];
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let round = 0; round < 20; round++) {
          const { outcomes } = await writer.applyBatch(
            Array.from({ length: 15 }, (_, k) => event(randomUUID(), String(rankOf(w * 1000 + round * 15 + k)))),
          );
          expect(outcomes.every((o) => o === 'applied')).toBe(true);
        }
      }),
    );
    const all = await db.collection<RankedView & { rankBucket: string }>(collection).find().toArray();
    const directory = await new BucketDirectories(db, collection).read(byRank);
    expect(directory.buckets.length).toBeGreaterThan(2);
    const misfiled = all.filter((v) => directory.buckets[bucketIndexOf(directory, [v.rank, v._id])]?.id !== v.rankBucket);
    expect(misfiled).toEqual([]);
    expect((await pageThrough(50)).map((v) => v._id)).toEqual(sortedIds(all));
  });

  it('re-files a view written with a directory that a split changed before the write landed', async () => {
    const late = new BucketMaintainer<RankedView>(db, collection, [byRank]);
    const stale = await late.prepare([]);
    await createViews(300);
    const view = late.place({ _id: randomUUID(), version: 1, rank: 480, gone: false }, stale);
    await db.collection<RankedView>(collection).insertOne(view);
    await late.settle([{ before: undefined, after: view }], stale);
    const directory = await new BucketDirectories(db, collection).read(byRank);
    const stored = await db.collection<RankedView & { rankBucket: string }>(collection).findOne({ _id: view._id });
    expect(directory.revision).toBeGreaterThan(stale.get('rank')?.revision ?? 0);
    expect(stored?.rankBucket).toBe(directory.buckets[bucketIndexOf(directory, [480, view._id])]?.id);
    expect(stored?.rankBucket).not.toBe((view as RankedView & { rankBucket: string }).rankBucket);
  });

  it('finishes a split cut short by a crash, and readers see every view meanwhile', async () => {
    await createViews(100);
    const all = await db.collection<RankedView>(collection).find().toArray();
    const directories = new BucketDirectories(db, collection);
    const directory = await directories.read(byRank);
    const [only] = directory.buckets;
    // A split that published its new bucket and died before moving anything into it.
    await directories.publish(directory, [
      { id: only?.id ?? '', low: null },
      { id: 'rank.crashed', low: [250, ''], splitFrom: only?.id },
    ]);
    expect((await pageThrough(30)).map((v) => v._id)).toEqual(sortedIds(all));

    await applier().applyBatch([event(randomUUID(), '7')]);
    const finished = await directories.read(byRank);
    expect(finished.buckets.map((b) => b.splitFrom)).toEqual([undefined, undefined]);
    const moved = await db.collection<RankedView>(collection).find({ rankBucket: 'rank.crashed' }).toArray();
    expect(moved.map((v) => v._id).sort()).toEqual(
      all
        .filter((v) => v.rank >= 250)
        .map((v) => v._id)
        .sort(),
    );
    expect(moved.length).toBeGreaterThan(0);
  });

  it('two writers racing for one revision: one wins, the other is told so', async () => {
    const directories = new BucketDirectories(db, collection);
    const directory = await directories.read(byRank);
    const results = await Promise.all([
      directories.publish(directory, [...directory.buckets, { id: 'rank.a', low: [1, ''] }]),
      directories.publish(directory, [...directory.buckets, { id: 'rank.b', low: [2, ''] }]),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect((await directories.read(byRank)).revision).toBe(directory.revision + 1);
  });
});
