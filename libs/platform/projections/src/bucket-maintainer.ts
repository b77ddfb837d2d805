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
  type BucketedOrder,
  type OrderKey,
} from './ordered-buckets';
import type { ViewDocument } from './projection';

/** A bucket splits in two when it holds more than this many views. */
export const MAX_BUCKET_SIZE = 128;

export type Directories = ReadonlyMap<string, BucketDirectory>;

export interface WrittenView<View> {
  readonly before: View | undefined;
  readonly after: View;
}

/**
 * Keeps the views' bucket fields and the bucket directories of a projection's orders. A writer
 * places each view with the directories it read before writing; after writing it reads them
 * again and re-places the views when a split happened meanwhile, then splits the buckets that
 * grew too big. A split first publishes the new bucket (marked `splitFrom`, so readers look in
 * both), then moves the members, then clears the mark; a split cut short by a crash is finished
 * by the next writer that sees the mark.
 */
export class BucketMaintainer<View extends ViewDocument> {
  private readonly views: Collection<{ _id: string }>;
  private readonly directories: BucketDirectories;

  constructor(
    db: Db,
    viewsCollection: string,
    private readonly orders: readonly BucketedOrder<View>[],
    private readonly maxBucketSize = MAX_BUCKET_SIZE,
  ) {
    this.views = db.collection(viewsCollection);
    this.directories = new BucketDirectories(db, viewsCollection);
  }

  async read(): Promise<Directories> {
    const found = await Promise.all(this.orders.map((order) => this.directories.read(order)));
    return new Map(found.map((d) => [d._id, d]));
  }

  /** The view with its bucket fields set for the given directories. */
  place(view: View, directories: Directories): View {
    const fields: Record<string, string | null> = {};
    for (const order of this.orders) fields[order.field] = this.bucketOf(order, view, directories);
    return { ...view, ...fields };
  }

  /** After the views were written with `used`: re-place them if a split happened, then split what grew too big. */
  async settle(written: readonly WrittenView<View>[], used: Directories): Promise<void> {
    if (written.length === 0 || this.orders.length === 0) return;
    const now = await this.read();
    const moved: AnyBulkWriteOperation<{ _id: string }>[] = [];
    const grown = new Map<string, { order: BucketedOrder<View>; bucket: string }>();
    for (const { before, after } of written) {
      const fields: Record<string, string | null> = {};
      for (const order of this.orders) {
        const bucket = this.bucketOf(order, after, now);
        if (now.get(order.name)?.revision !== used.get(order.name)?.revision && bucket !== this.bucketOf(order, after, used)) fields[order.field] = bucket;
        const previous = (before as Record<string, unknown> | undefined)?.[order.field];
        if (bucket !== null && bucket !== previous) grown.set(`${order.name}/${bucket}`, { order, bucket });
      }
      if (Object.keys(fields).length > 0) moved.push({ updateOne: { filter: { _id: after._id, version: after.version }, update: { $set: fields } } });
    }
    await chunkedBulkWrite(this.views, moved);
    for (const order of this.orders) {
      const directory = now.get(order.name);
      if (directory?.buckets.some((b) => b.splitFrom !== undefined)) await this.finishSplit(order, directory);
    }
    for (const { order, bucket } of grown.values()) await this.splitIfFull(order, bucket);
  }

  private bucketOf(order: BucketedOrder<View>, view: View, directories: Directories): string | null {
    const key = order.key(view);
    const directory = directories.get(order.name) ?? initialDirectory(order);
    return key === undefined ? null : (directory.buckets[bucketIndexOf(directory, key)]?.id ?? null);
  }

  private async members(order: BucketedOrder<View>, bucket: string): Promise<Array<{ view: View; key: OrderKey }>> {
    const docs = (await this.views.find({ [order.field]: bucket }).toArray()) as unknown as View[];
    return docs.flatMap((view) => {
      const key = order.key(view);
      return key === undefined ? [] : [{ view, key }];
    });
  }

  private async splitIfFull(order: BucketedOrder<View>, bucket: string): Promise<void> {
    const members = await this.members(order, bucket);
    if (members.length <= this.maxBucketSize) return;
    const directory = await this.directories.read(order);
    const index = directory.buckets.findIndex((b) => b.id === bucket);
    if (index < 0 || directory.buckets.some((b) => b.splitFrom !== undefined)) return;
    const inRange = members.filter((m) => inBucket(directory, index, m.key)).sort((a, b) => compareKeys(a.key, b.key));
    // Views arrive at the end of an order by creation time: a last bucket keeps most of its members.
    const at = Math.floor(inRange.length * (index === directory.buckets.length - 1 ? 0.9 : 0.5));
    const low = inRange[at]?.key;
    if (low === undefined || at === 0) return;
    const entry = { id: `${order.name}.${randomUUID().slice(0, 8)}`, low, splitFrom: bucket };
    const split = await this.directories.publish(directory, [...directory.buckets.slice(0, index + 1), entry, ...directory.buckets.slice(index + 1)]);
    if (split !== undefined) await this.finishSplit(order, split);
  }

  /** Moves the members of each marked bucket's origin that belong to it, then clears the marks. */
  private async finishSplit(order: BucketedOrder<View>, directory: BucketDirectory): Promise<void> {
    for (const [index, entry] of directory.buckets.entries()) {
      if (entry.splitFrom === undefined) continue;
      const members = await this.members(order, entry.splitFrom);
      const moves = members
        .filter((m) => inBucket(directory, index, m.key))
        .map((m): AnyBulkWriteOperation<{ _id: string }> => ({ updateOne: { filter: { _id: m.view._id, version: m.view.version, [order.field]: entry.splitFrom }, update: { $set: { [order.field]: entry.id } } } }));
      await chunkedBulkWrite(this.views, moves);
    }
    await this.directories.publish(directory, directory.buckets.map(({ id, low }) => ({ id, low })));
  }
}
