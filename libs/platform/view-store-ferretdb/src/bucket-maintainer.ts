import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { BucketDirectories } from './bucket-directories';
import { chunkedBulkWrite } from './chunked-bulk-write';
import {
  bucketIndexOf,
  compareKeys,
  inBucket,
  initialDirectory,
  type BucketDirectory,
  type BucketEntry,
  type BucketedOrder,
  type OrderKey,
} from './ordered-buckets';
import type { ViewDocument } from '@cqrs/projection';

/** A bucket splits when it would hold more than this many views. */
export const MAX_BUCKET_SIZE = 128;

export type Directories = ReadonlyMap<string, BucketDirectory>;

/** A view about to be written (or just written), with the stored view it replaces. */
export interface ViewChange<View> {
  readonly before: View | undefined;
  readonly after: View;
}

/**
 * Keeps the views' bucket fields and the bucket directories of a projection's orders, like the
 * leaves of a B-tree. Before a batch is written, a bucket that the batch would fill past the bound
 * is split (over its members and the arriving views together), so new views go straight to their
 * final bucket; then each view is placed. After writing, the directories are read again and views
 * re-placed if another writer split meanwhile. A split first publishes the new buckets (marked
 * `splitFrom`, so readers look in the origin too), then moves the members, then clears the marks;
 * a split cut short by a crash is finished by the next writer that sees the marks.
 */
export class BucketMaintainer<View extends ViewDocument> {
  private readonly views: Collection<{ _id: string }>;
  private readonly directories: BucketDirectories;
  /** Members per `<order>/<bucket>` as this writer knows them; a bucket it has not seen is counted when it matters. */
  private readonly sizes = new Map<string, number>();

  constructor(
    db: Db,
    viewsCollection: string,
    private readonly orders: readonly BucketedOrder<View>[],
    private readonly maxBucketSize = MAX_BUCKET_SIZE,
  ) {
    this.views = db.collection(viewsCollection);
    this.directories = new BucketDirectories(db, viewsCollection);
  }

  /** Finishes interrupted splits and splits the buckets these changes would overfill; the directories to place them with. */
  async prepare(changes: readonly ViewChange<View>[]): Promise<Directories> {
    const directories = new Map<string, BucketDirectory>();
    const read = await Promise.all(this.orders.map((order) => this.directories.read(order)));
    for (const [i, order] of this.orders.entries()) {
      let directory = read[i] ?? initialDirectory(order);
      if (directory.buckets.some((b) => b.splitFrom !== undefined))
        directory = (await this.finishSplit(order, directory)) ?? (await this.directories.read(order));
      const arriving = new Map<string, OrderKey[]>();
      for (const { before, after } of changes) {
        const key = order.key(after);
        const bucket = key === undefined ? null : bucketAt(directory, key);
        if (key === undefined || bucket === null || bucket === fieldOf(before, order)) continue;
        arriving.set(bucket, [...(arriving.get(bucket) ?? []), key]);
      }
      for (const [bucket, keys] of arriving) {
        const known = this.sizes.get(`${order.name}/${bucket}`);
        if (known === undefined || known + keys.length > this.maxBucketSize)
          directory = (await this.split(order, directory, bucket, keys)) ?? directory;
      }
      directories.set(order.name, directory);
    }
    return directories;
  }

  /** The view with its bucket fields set for the given directories. */
  place(view: View, directories: Directories): View {
    const fields: Record<string, string | null> = {};
    for (const order of this.orders) {
      const key = order.key(view);
      fields[order.field] = key === undefined ? null : bucketAt(directories.get(order.name) ?? initialDirectory(order), key);
    }
    return { ...view, ...fields };
  }

  /** After the views were written as placed with `used`: re-places them if another writer split meanwhile, and keeps the sizes. */
  async settle(written: readonly ViewChange<View>[], used: Directories): Promise<void> {
    if (written.length === 0 || this.orders.length === 0) return;
    const now = new Map(await Promise.all(this.orders.map(async (order) => [order.name, await this.directories.read(order)] as const)));
    const moves: AnyBulkWriteOperation<{ _id: string }>[] = [];
    const overfull = new Map<string, { order: BucketedOrder<View>; bucket: string }>();
    for (const { before, after } of written) {
      const fields: Record<string, string | null> = {};
      for (const order of this.orders) {
        const directory = now.get(order.name) ?? initialDirectory(order);
        const key = order.key(after);
        const bucket = key === undefined ? null : bucketAt(directory, key);
        if (directory.revision !== used.get(order.name)?.revision && bucket !== fieldOf(after, order)) fields[order.field] = bucket;
        const previous = fieldOf(before, order);
        if (bucket === previous) continue;
        if (previous !== null) this.resize(order, previous, -1);
        if (bucket !== null && this.resize(order, bucket, +1) > this.maxBucketSize)
          overfull.set(`${order.name}/${bucket}`, { order, bucket });
      }
      if (Object.keys(fields).length > 0)
        moves.push({ updateOne: { filter: { _id: after._id, version: after.version }, update: { $set: fields } } });
    }
    await chunkedBulkWrite(this.views, moves);
    // Only when another writer's views came in between: this writer's own were split for before writing.
    for (const { order, bucket } of overfull.values()) await this.split(order, now.get(order.name) ?? initialDirectory(order), bucket, []);
  }

  /** This writer's count of a bucket after a change; 0 for one it has not counted (it is counted when views arrive in it). */
  private resize(order: BucketedOrder<View>, bucket: string, delta: number): number {
    const key = `${order.name}/${bucket}`;
    const size = this.sizes.get(key);
    if (size === undefined) return 0;
    this.sizes.set(key, size + delta);
    return size + delta;
  }

  private async members(order: BucketedOrder<View>, bucket: string): Promise<Array<{ view: View; key: OrderKey }>> {
    const docs = (await this.views.find({ [order.field]: bucket }).toArray()) as unknown as View[];
    return docs.flatMap((view) => {
      const key = order.key(view);
      return key === undefined ? [] : [{ view, key }];
    });
  }

  /**
   * Splits a bucket that, with the arriving keys, holds more than the bound into as many as it
   * takes: half full, so that views arriving anywhere in its range fit, or nine tenths full for the
   * last bucket, where an order by creation time gets all its new views. The directory after the
   * split; undefined when no split was needed or another writer changed the directory first.
   */
  private async split(
    order: BucketedOrder<View>,
    directory: BucketDirectory,
    bucket: string,
    arriving: readonly OrderKey[],
  ): Promise<BucketDirectory | undefined> {
    const index = directory.buckets.findIndex((b) => b.id === bucket);
    const members = (await this.members(order, bucket)).filter((m) => inBucket(directory, index, m.key));
    this.sizes.set(`${order.name}/${bucket}`, members.length);
    const memberIds = new Set(members.map((m) => m.key[1]));
    const keys = [...members.map((m) => m.key), ...arriving.filter((k) => !memberIds.has(k[1]))].sort(compareKeys);
    if (index < 0 || keys.length <= this.maxBucketSize) return undefined;
    const pieces: BucketEntry[] = splitPoints(keys.length, this.maxBucketSize, index === directory.buckets.length - 1).flatMap((at) => {
      const low = keys[at];
      return low === undefined ? [] : [{ id: `${order.name}.${randomUUID().slice(0, 8)}`, low, splitFrom: bucket }];
    });
    const marked = await this.directories.publish(directory, [
      ...directory.buckets.slice(0, index + 1),
      ...pieces,
      ...directory.buckets.slice(index + 1),
    ]);
    if (marked === undefined) return undefined;
    const split = await this.finishSplit(order, marked, new Map([[bucket, members]]));
    // Counts as of the split; the arriving views are counted when settled.
    const final = split ?? marked;
    for (const entry of [{ id: bucket }, ...pieces])
      this.sizes.set(`${order.name}/${entry.id}`, members.filter((m) => bucketAt(final, m.key) === entry.id).length);
    return final;
  }

  /**
   * Moves the members of each marked bucket's origin that belong to it, then clears the marks; the
   * directory after. `read` has the members of origins the caller has just read.
   */
  private async finishSplit(
    order: BucketedOrder<View>,
    directory: BucketDirectory,
    read = new Map<string, Array<{ view: View; key: OrderKey }>>(),
  ): Promise<BucketDirectory | undefined> {
    const pieces = new Map<string, number[]>();
    directory.buckets.forEach((entry, index) => {
      if (entry.splitFrom !== undefined) pieces.set(entry.splitFrom, [...(pieces.get(entry.splitFrom) ?? []), index]);
    });
    for (const [origin, indexes] of pieces) {
      const targets = new Map<string, string[]>();
      for (const { view, key } of read.get(origin) ?? (await this.members(order, origin))) {
        const target = directory.buckets[indexes.find((i) => inBucket(directory, i, key)) ?? -1];
        if (target !== undefined) targets.set(target.id, [...(targets.get(target.id) ?? []), view._id]);
      }
      // One command per piece: FerretDB v1 fetches the origin's members by the pushed-down equality
      // and tests the ids itself, far cheaper than a statement per view.
      for (const [target, ids] of targets)
        await this.views.updateMany({ [order.field]: origin, _id: { $in: ids } }, { $set: { [order.field]: target } });
    }
    return this.directories.publish(
      directory,
      directory.buckets.map(({ id, low }) => ({ id, low })),
    );
  }
}

/**
 * Where a bucket of `count` sorted keys is cut (the index of each new piece's lowest key). Inside
 * the order the pieces are equal and about half full, so views arriving anywhere in their range
 * fit; a remainder piece of a few views would make pages read more buckets. The last bucket, where
 * an order by creation time gets all its new views, is cut into nine-tenths-full pieces, the
 * remainder last (it fills up).
 */
export function splitPoints(count: number, maxBucketSize: number, last: boolean): number[] {
  if (last) {
    const fill = Math.max(1, Math.floor(maxBucketSize * 0.9));
    return Array.from({ length: Math.ceil(count / fill) - 1 }, (_, k) => (k + 1) * fill);
  }
  const pieces = Math.max(2, Math.round(count / Math.max(1, Math.floor(maxBucketSize * 0.5))));
  return Array.from({ length: pieces - 1 }, (_, k) => Math.round(((k + 1) * count) / pieces));
}

function bucketAt(directory: BucketDirectory, key: OrderKey): string | null {
  return directory.buckets[bucketIndexOf(directory, key)]?.id ?? null;
}

function fieldOf<View>(view: View | undefined, order: BucketedOrder<View>): string | null {
  const value = (view as Record<string, unknown> | undefined)?.[order.field];
  return typeof value === 'string' ? value : null;
}
