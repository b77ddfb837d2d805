import type { AnyBulkWriteOperation, Collection, Db, Filter } from 'mongodb';
import {
  orderOf,
  type ListOrder,
  type ListRequest,
  type ListResult,
  type SearchRequest,
  type ViewCollection,
  type ViewDocument,
  type ViewSpec,
  type ViewStore,
  type ViewWrite,
  type WriteGuard,
} from '@cqrs/projection';
import { BucketMaintainer } from './bucket-maintainer';
import { scanInOrder } from './bucketed-scan';
import { chunkedBulkWrite, INSERT_CHUNK_SIZE, insertOrReplace } from './chunked-bulk-write';
import type { BucketedOrder } from './ordered-buckets';
import { candidatesOf, postingsCollection, postingsOf, SEARCH_SAMPLE_RATE, type SearchPosting } from './search-postings';

export interface FerretDbViewStoreOptions {
  /** A search whose rarest token has about this many postings or more scans the search's order instead. */
  readonly searchScanFromPostings?: number;
  /** Most buckets one call reads before it answers a short page with a token to go on (sparse filters). */
  readonly maxBucketsPerCall?: number;
}

const DEFAULT_SEARCH_SCAN_FROM_POSTINGS = 2_048;
const DEFAULT_MAX_BUCKETS_PER_CALL = 32;

/** The last work queued per collection (see exclusive). */
const turns = new Map<string, Promise<void>>();

/** The top-level field holding a view's bucket in an order (FerretDB v1 pushes down equality on it). */
export function bucketed<View>(order: ListOrder<View>): BucketedOrder<View> {
  return { name: order.name, field: `${order.name}Bucket`, key: (view) => order.key(view) };
}

/**
 * The view store on FerretDB v1, which pushes nothing but equality down to PostgreSQL: lists page
 * through ordered buckets, search goes through postings (one document per token and view) with a
 * sample to tell rare tokens from common ones, writes go in small chunks, and as its update is
 * not an atomic compare-and-set, writes to views fed by several sources are read back and writers
 * of one collection in a process take turns.
 */
export function ferretDbV1ViewStore(db: Db, options: FerretDbViewStoreOptions = {}): ViewStore {
  return {
    engine: 'ferretdb-v1',
    collection: <View extends ViewDocument>(spec: ViewSpec<View>, name?: string) =>
      new FerretDbViewCollection<View>(db, spec, name ?? spec.collection, options),
  };
}

class FerretDbViewCollection<View extends ViewDocument> implements ViewCollection<View> {
  private readonly views: Collection<View>;
  private readonly postings: Collection<SearchPosting> | undefined;
  private readonly buckets: BucketMaintainer<View> | undefined;
  private readonly orders: readonly BucketedOrder<View>[];

  constructor(
    private readonly db: Db,
    private readonly spec: ViewSpec<View>,
    readonly name: string,
    private readonly options: FerretDbViewStoreOptions,
  ) {
    this.views = db.collection<View>(name);
    this.postings = spec.search && db.collection<SearchPosting>(postingsCollection(name));
    this.orders = (spec.orders ?? []).map(bucketed);
    this.buckets = this.orders.length > 0 ? new BucketMaintainer(db, name, this.orders) : undefined;
  }

  /** One createIndexes call per index: FerretDB v1 panics when several, already existing, come in one call. */
  async ensureIndexes(): Promise<void> {
    const own = [
      ...this.spec.indexes.map((index) => ({ key: { ...index.key }, name: index.name })),
      ...this.orders.map((order) => ({ key: { [order.field]: 1 }, name: `by_${order.field}` })),
    ];
    for (const index of own) await this.views.createIndexes([index]);
    const postingIndexes: { key: Record<string, 1>; name: string }[] = [
      { key: { token: 1, viewId: 1 }, name: 'by_token_view' },
      { key: { viewId: 1 }, name: 'by_view' },
      { key: { sampleToken: 1 }, name: 'by_sample_token' },
    ];
    if (this.postings !== undefined) for (const index of postingIndexes) await this.postings.createIndexes([index]);
  }

  async get(id: string): Promise<View | undefined> {
    return ((await this.views.findOne({ _id: id } as Filter<View>)) ?? undefined) as View | undefined;
  }

  count(): Promise<number> {
    return this.views.countDocuments();
  }

  /**
   * Writers of one collection in a process take turns: FerretDB v1's compare-and-set is not atomic
   * (its update reads, then writes by id), and two consumers of one process feeding the same views
   * would otherwise race on them all the time.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const key = `${this.db.databaseName}.${this.name}`;
    const previous = turns.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    turns.set(key, tail);
    void tail.then(() => {
      if (turns.get(key) === tail) turns.delete(key);
    });
    return result;
  }

  /** Places the views in their ordered buckets, writes them, then keeps the buckets in shape; returns the views written. */
  async write(unplaced: readonly ViewWrite<View>[], guard: WriteGuard): Promise<Set<string>> {
    if (unplaced.length === 0) return new Set<string>();
    const directories = await this.buckets?.prepare(unplaced.map((w) => ({ before: w.current, after: w.next })));
    const writes =
      directories === undefined ? unplaced : unplaced.map((w) => ({ ...w, next: this.buckets?.place(w.next, directories) ?? w.next }));
    const written = await this.writeViews(writes, guard);
    if (directories !== undefined) {
      await this.buckets?.settle(
        writes.filter((w) => written.has(w.id)).map((w) => ({ before: w.current, after: w.next })),
        directories,
      );
    }
    return written;
  }

  private async writeViews(writes: readonly ViewWrite<View>[], guard: WriteGuard): Promise<Set<string>> {
    await this.writePostings(writes);
    // New views go in large insert commands (a duplicate id is a lost race, like a lost compare-and-set).
    const inserts = writes
      .filter((w) => w.current === undefined)
      .map((w): AnyBulkWriteOperation<View> => ({ insertOne: { document: w.next as never } }));
    const replaces = writes.flatMap((w): AnyBulkWriteOperation<View>[] =>
      w.current === undefined
        ? []
        : [{ replaceOne: { filter: { _id: w.id, [guard]: w.current[guard] } as Filter<View>, replacement: w.next as never } }],
    );
    const [inserted, replaced] = [
      await chunkedBulkWrite(this.views, inserts, INSERT_CHUNK_SIZE),
      await chunkedBulkWrite(this.views, replaces),
    ];
    const complete = !inserted.writeErrors && !replaced.writeErrors && inserted.insertedCount + replaced.matchedCount === writes.length;
    // Two racing replaces can both report a match (the update is not an atomic compare-and-set), and
    // a view fed by several sources has writers in other processes (another projector, a rebuild's
    // catch-up): its writes are always read back, so a lost one is retried.
    if (complete && guard === 'version') return new Set(writes.map((w) => w.id));
    const landed = await Promise.all(
      writes.map(async (w) => {
        const stored = await this.views.findOne({ _id: w.id } as Filter<View>);
        // Two writers may both have aimed at the next revision: only the one whose versions are stored landed.
        const ok =
          guard === 'revision'
            ? stored?.revision === w.next.revision &&
              stored?.version === w.next.version &&
              JSON.stringify(stored?.sourceVersions ?? {}) === JSON.stringify(w.next.sourceVersions ?? {})
            : stored?.version === w.next.version;
        return ok ? w.id : undefined;
      }),
    );
    return new Set(landed.filter((id): id is string => id !== undefined));
  }

  /**
   * Postings go first: if the process dies before the view is written, the event is redelivered
   * and they are rewritten. Only the difference is written: postings with a new id are inserted,
   * changed ones replaced, those that vanished deleted by id (an indexed equality).
   */
  private async writePostings(writes: readonly ViewWrite<View>[]): Promise<void> {
    const search = this.spec.search;
    const postings = this.postings;
    if (search === undefined || postings === undefined) return;
    const order = orderOf(this.spec, search.order);
    const inserts: SearchPosting[] = [];
    const operations: AnyBulkWriteOperation<SearchPosting>[] = [];
    for (const { current, next } of writes) {
      const content = (p: SearchPosting) => JSON.stringify({ ...p, version: 0 });
      const before = new Map((current === undefined ? [] : postingsOf(search, order, current)).map((p) => [p._id, content(p)]));
      const after = postingsOf(search, order, next);
      for (const posting of after) {
        const previous = before.get(posting._id);
        if (previous === undefined) inserts.push(posting);
        else if (previous !== content(posting))
          operations.push({ replaceOne: { filter: { _id: posting._id }, replacement: posting, upsert: true } });
      }
      const kept = new Set(after.map((p) => p._id));
      for (const id of before.keys()) if (!kept.has(id)) operations.push({ deleteOne: { filter: { _id: id } } });
    }
    await insertOrReplace(postings, inserts);
    const result = await chunkedBulkWrite(postings, operations);
    if (result.writeErrors) throw new Error(`search postings of ${this.name} could not all be written`);
  }

  list(request: ListRequest<View>): Promise<ListResult<View>> {
    return scanInOrder<View>(this.db, this.name, {
      ...request,
      order: bucketed(orderOf(this.spec, request.order)),
      maxBuckets: this.options.maxBucketsPerCall ?? DEFAULT_MAX_BUCKETS_PER_CALL,
    });
  }

  /**
   * Views with every token, in the search's order. The rarest token decides the way: through its
   * postings (an equality lookup) when it has few, or by scanning the order's buckets when it is
   * common enough for matches to come quickly; either costs the same at any size. How common a
   * token is comes from the sampled postings (one view in SEARCH_SAMPLE_RATE carries them).
   */
  async search({ tokens, after, want }: SearchRequest): Promise<ListResult<View>> {
    const search = this.spec.search;
    const postings = this.postings;
    if (search === undefined || postings === undefined || tokens.length === 0) return { views: [] };
    const order = orderOf(this.spec, search.order);
    const scanFrom = this.options.searchScanFromPostings ?? DEFAULT_SEARCH_SCAN_FROM_POSTINGS;
    // Counting stops where a token is common enough to scan for: FerretDB stops decoding there.
    const enough = Math.ceil(scanFrom / SEARCH_SAMPLE_RATE) + 1;
    const estimates = await Promise.all(
      tokens.map(async (token) => ({
        token,
        postings:
          (
            await postings
              .find({ sampleToken: token }, { projection: { _id: 1 } })
              .limit(enough)
              .toArray()
          ).length * SEARCH_SAMPLE_RATE,
      })),
    );
    const rarest = estimates.reduce((a, b) => (b.postings < a.postings ? b : a));
    const matches = (view: View) => order.key(view) !== undefined && tokens.every((t) => search.tokens(view).includes(t));
    if (rarest.postings >= scanFrom) {
      return scanInOrder<View>(this.db, this.name, {
        order: bucketed(order),
        ...(after !== undefined ? { after } : {}),
        want,
        accept: matches,
        maxBuckets: this.options.maxBucketsPerCall ?? DEFAULT_MAX_BUCKETS_PER_CALL,
      });
    }
    const found = await postings.find({ token: rarest.token }, { projection: { viewId: 1, key: 1 } }).toArray();
    const candidates = candidatesOf(found, after);
    const views: View[] = [];
    for (let start = 0; start < candidates.length && views.length < want; start += want) {
      const batch = await Promise.all(candidates.slice(start, start + want).map((id) => this.get(id)));
      for (const view of batch) if (view !== undefined && matches(view)) views.push(view);
    }
    return { views };
  }
}
