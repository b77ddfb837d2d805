import type { Db, Document } from 'mongodb';
import { BucketDirectories } from './bucket-directories';
import {
  bucketIndexOf,
  compareKeys,
  inBucket,
  isBeyond,
  type BucketDirectory,
  type BucketedOrder,
  type OrderKey,
  type OrderPosition,
} from './ordered-buckets';

export interface ScanRequest<View> {
  readonly order: BucketedOrder<View>;
  readonly after?: OrderPosition;
  readonly descending?: boolean;
  /** How many views to find (a page and one more, to know whether there is a next page). */
  readonly want: number;
  /** Where the scan ends (exclusive, in the direction of travel): views at or beyond it are not read, nor are buckets that hold only such. */
  readonly end?: OrderKey;
  /** Views that pass the query's filters. */
  readonly accept?: (view: View) => boolean;
  /** Most buckets read in one scan, so a filter that matches little cannot make a call unbounded. */
  readonly maxBuckets?: number;
}

export interface ScanResult<View> {
  /** Matching views in order, at least `want` unless the order ended or `resume` is set. */
  readonly views: View[];
  /** Where to go on when the scan stopped at `maxBuckets` before finding `want` views. */
  readonly resume?: OrderPosition;
}

const ATTEMPTS = 3;
/** One reader per database and collection, so each remembers the directories it read last. */
const readers = new WeakMap<Db, Map<string, BucketDirectories>>();

function directoriesOf(db: Db, viewsCollection: string): BucketDirectories {
  const byCollection = readers.get(db) ?? new Map<string, BucketDirectories>();
  readers.set(db, byCollection);
  const found = byCollection.get(viewsCollection) ?? new BucketDirectories(db, viewsCollection);
  byCollection.set(viewsCollection, found);
  return found;
}
/** Most buckets read at once after the first (a page usually ends in the first one). */
const PARALLEL_BUCKETS = 4;

/**
 * How many buckets the next wave reads: as many as the matches per bucket so far say the page still
 * needs, one at least, PARALLEL_BUCKETS at most (also when nothing has matched yet). On FerretDB v1
 * every document read costs about a quarter of a millisecond whatever its size, so reading buckets
 * a page does not need is what makes a sparse filter slow.
 */
export function waveSize(scanned: number, found: number, want: number): number {
  if (scanned === 0) return 1;
  if (found === 0) return PARALLEL_BUCKETS;
  return Math.max(1, Math.min(PARALLEL_BUCKETS, Math.ceil(((want - found) * scanned) / found)));
}

/**
 * Reads views in an order from the bucket a position falls in onwards, one equality lookup per
 * bucket. The directory is read before and after; when a split changed it meanwhile, the scan
 * runs again, so a view being moved between buckets is neither missed nor read twice.
 */
export async function scanInOrder<View extends { readonly _id: string }>(
  db: Db,
  viewsCollection: string,
  request: ScanRequest<View>,
): Promise<ScanResult<View>> {
  const directories = directoriesOf(db, viewsCollection);
  let result: ScanResult<View> = { views: [] };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const directory = await directories.read(request.order);
    result = await scanDirectory(db, viewsCollection, directory, request);
    if ((await directories.read(request.order)).revision === directory.revision) return result;
  }
  return result;
}

async function scanDirectory<View extends { readonly _id: string }>(
  db: Db,
  viewsCollection: string,
  directory: BucketDirectory,
  request: ScanRequest<View>,
): Promise<ScanResult<View>> {
  const { after, want } = request;
  const descending = request.descending ?? false;
  const step = descending ? -1 : 1;
  const count = directory.buckets.length;
  const maxBuckets = request.maxBuckets ?? Number.POSITIVE_INFINITY;
  let index = after === undefined ? (descending ? count - 1 : 0) : bucketIndexOf(directory, after.key);
  let scanned = 0;
  const views: View[] = [];
  const pastEnd = (i: number) => request.end !== undefined && bucketIsPast(directory, i, request.end, descending);
  while (index >= 0 && index < count && views.length < want && scanned < maxBuckets && !pastEnd(index)) {
    const wave: number[] = [];
    const size = waveSize(scanned, views.length, want);
    for (let i = index; i >= 0 && i < count && wave.length < size && scanned + wave.length < maxBuckets && !pastEnd(i); i += step)
      wave.push(i);
    const found = await Promise.all(wave.map((i) => bucketViews(db, viewsCollection, directory, i, request, descending)));
    for (const bucket of found) if (views.length < want) views.push(...bucket);
    scanned += wave.length;
    index += step * wave.length;
  }
  if (views.length >= want || index < 0 || index >= count || pastEnd(index)) return { views };
  const boundary = directory.buckets[descending ? index + 1 : index]?.low;
  return boundary === null || boundary === undefined ? { views } : { views, resume: { key: boundary, inclusive: !descending } };
}

/** The accepted views of one bucket beyond the position, sorted; a bucket being split is read with its origin. */
async function bucketViews<View extends { readonly _id: string }>(
  db: Db,
  viewsCollection: string,
  directory: BucketDirectory,
  index: number,
  request: ScanRequest<View>,
  descending: boolean,
): Promise<View[]> {
  const entry = directory.buckets[index];
  if (entry === undefined) return [];
  const collection = db.collection<Document>(viewsCollection);
  const ids = entry.splitFrom === undefined ? [entry.id] : [entry.id, entry.splitFrom];
  const docs = (await Promise.all(ids.map((id) => collection.find({ [request.order.field]: id }).toArray()))).flat() as unknown as View[];
  const seen = new Set<string>();
  const keyed: Array<{ view: View; key: OrderKey }> = [];
  for (const view of docs) {
    const key = request.order.key(view);
    if (key === undefined || seen.has(view._id) || !inBucket(directory, index, key) || !isBeyond(key, request.after, descending)) continue;
    if (request.end !== undefined && !isBeyond(request.end, { key }, descending)) continue;
    if (request.accept !== undefined && !request.accept(view)) continue;
    seen.add(view._id);
    keyed.push({ view, key });
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key) * (descending ? -1 : 1));
  return keyed.map((k) => k.view);
}

/** Whether every key a bucket can hold lies at or beyond `end` in the direction of travel. */
function bucketIsPast(directory: BucketDirectory, index: number, end: OrderKey, descending: boolean): boolean {
  if (!descending) {
    const low = directory.buckets[index]?.low ?? null;
    return low !== null && compareKeys(low, end) >= 0;
  }
  // Descending, the bucket's keys lie below the next bucket's low.
  const upper = directory.buckets[index + 1]?.low ?? null;
  return upper !== null && compareKeys(upper, end) <= 0;
}
