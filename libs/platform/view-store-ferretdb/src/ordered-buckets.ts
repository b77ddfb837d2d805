/**
 * Ordered buckets: a range-partitioned order over views that a store serving only equality
 * lookups can page through. FerretDB v1 pushes neither sort, limit nor ranges down to
 * PostgreSQL, so a sorted, limited find reads the whole collection; here every view carries the
 * id of the bucket its sort key falls in, a small directory document per order lists the
 * buckets by their lowest key, and a page reads one bucket at a time by equality on that id.
 * Buckets split when they grow past a bound, so a page costs the same at any catalog size.
 */

import { compareKeys, type OrderKey } from '@cqrs/projection';

export type { OrderKey, OrderPosition } from '@cqrs/projection';
export { compareKeys, isBeyond } from '@cqrs/projection';

export interface BucketedOrder<View> {
  /** Names the order's directory document. */
  readonly name: string;
  /** Top-level field of the view holding its bucket id (FerretDB v1 pushes down equality on it). */
  readonly field: string;
  /** Where the view sorts; undefined leaves it out of the order (e.g. deleted). */
  key(view: View): OrderKey | undefined;
}

export interface BucketEntry {
  readonly id: string;
  /** Lowest key the bucket holds; null for the first bucket. */
  readonly low: OrderKey | null;
  /** Set while a split moves this bucket's members out of the bucket it was split from. */
  readonly splitFrom?: string;
}

export interface BucketDirectory {
  readonly _id: string;
  /** Raised by every change, so readers and writers notice one that happened under them. */
  readonly revision: number;
  readonly buckets: readonly BucketEntry[];
}

export function directoriesCollection(viewsCollection: string): string {
  return `${viewsCollection}_buckets`;
}

export function initialDirectory(order: { readonly name: string }): BucketDirectory {
  return { _id: order.name, revision: 0, buckets: [{ id: `${order.name}.0`, low: null }] };
}

/** The index of the bucket a key falls in: the last one whose low is at or below it. */
export function bucketIndexOf(directory: BucketDirectory, key: OrderKey): number {
  let lo = 0;
  let hi = directory.buckets.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const low = directory.buckets[mid]?.low;
    if (low === null || low === undefined || compareKeys(low, key) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function inBucket(directory: BucketDirectory, index: number, key: OrderKey): boolean {
  const low = directory.buckets[index]?.low ?? null;
  const next = directory.buckets[index + 1]?.low ?? null;
  return (low === null || compareKeys(low, key) <= 0) && (next === null || compareKeys(key, next) < 0);
}
