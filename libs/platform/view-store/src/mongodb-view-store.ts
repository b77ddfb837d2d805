import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Db, type Document, type Filter } from 'mongodb';
import {
  orderOf,
  type ListRequest,
  type ListResult,
  type OrderKey,
  type OrderPosition,
  type SearchRequest,
  type ViewCollection,
  type ViewDocument,
  type ViewSpec,
  type ViewStore,
  type ViewWrite,
  type WriteGuard,
} from '@cqrs/projection';

/** The stored sort key of each list order (absent when the view is not listed in it) and the search tokens. */
const ORDER_KEYS = 'orderKeys';
const SEARCH_TOKENS = 'searchTokens';
/** Views read per round trip while a filter is checked on them; a list gives up (with a resume position) after MAX_READ. */
const READ_BATCH = 64;
const MAX_READ = 4_096;

/** A view as stored, with the fields this engine adds. */
interface StoredView extends Document {
  _id: string;
}

const asView = <View extends ViewDocument>(doc: Document): View => doc as ViewDocument as View;

export interface MongoViewStoreOptions {
  /** Most views one list call reads before it answers a short page with a token to go on (sparse filters). */
  readonly maxReadPerCall?: number;
  /** Most statements per write command (unlimited by default: MongoDB splits large batches itself). */
  readonly maxWritesPerCommand?: number;
}

/**
 * The view store on MongoDB: one unordered bulk write per batch, each view replaced with the
 * version (or revision) it was read at in the filter, new views inserted (a duplicate id is a
 * lost race); lists are find + sort + limit on a compound index per order with a keyset cursor,
 * search a multikey index on the tokens with `$all`.
 */
export function mongoViewStore(db: Db, options: MongoViewStoreOptions = {}): ViewStore {
  return {
    engine: 'mongodb',
    collection: <View extends ViewDocument>(spec: ViewSpec<View>, name?: string) =>
      new MongoViewCollection<View>(db.collection<StoredView>(name ?? spec.collection), spec, options),
  };
}

class MongoViewCollection<View extends ViewDocument> implements ViewCollection<View> {
  constructor(
    private readonly views: Collection<StoredView>,
    private readonly spec: ViewSpec<View>,
    private readonly options: MongoViewStoreOptions,
  ) {}

  get name(): string {
    return this.views.collectionName;
  }

  async ensureIndexes(): Promise<void> {
    const field = (order: string) => `${ORDER_KEYS}.${order}`;
    const indexes = [
      ...this.spec.indexes.map((index) => ({ key: { ...index.key }, name: index.name })),
      ...(this.spec.orders ?? []).map((order) => ({ key: { [field(order.name)]: 1, _id: 1 }, name: `by_order_${order.name}` })),
      ...(this.spec.search === undefined
        ? []
        : [{ key: { [SEARCH_TOKENS]: 1, [field(this.spec.search.order)]: 1, _id: 1 }, name: 'by_search_token' }]),
    ];
    for (const index of indexes) await this.views.createIndexes([index]);
  }

  async get(id: string): Promise<View | undefined> {
    const stored = await this.views.findOne({ _id: id }, { projection: { [ORDER_KEYS]: 0, [SEARCH_TOKENS]: 0 } });
    return stored === null ? undefined : asView<View>(stored);
  }

  count(): Promise<number> {
    return this.views.countDocuments();
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async write(writes: readonly ViewWrite<View>[], guard: WriteGuard): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const operations = writes.map((write): AnyBulkWriteOperation<StoredView> => {
      const document = this.stored(write.next);
      if (write.current === undefined) return { insertOne: { document } };
      return {
        replaceOne: { filter: { _id: write.id, [guard]: write.current[guard] ?? null } as Filter<StoredView>, replacement: document },
      };
    });
    const replaces = writes.filter((w) => w.current !== undefined).length;
    const failed = new Set<number>();
    let matched = 0;
    const size = this.options.maxWritesPerCommand ?? operations.length;
    for (let start = 0; start < operations.length; start += size) {
      try {
        matched += (await this.views.bulkWrite(operations.slice(start, start + size), { ordered: false })).matchedCount;
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError) || err.writeErrors === undefined) throw err;
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        // Only a duplicate id (a racing insert of the same new view) is a lost race; anything else is a failure.
        if (errors.some((e) => e.code !== 11000)) throw err;
        for (const e of errors) failed.add(start + e.index);
        matched += err.result.matchedCount;
      }
    }
    // The bulk result counts matches, it does not name them: when one replace lost, all of them are
    // reported unwritten, so their events come back and are then seen as duplicates where they landed.
    const allReplaced = matched === replaces;
    return new Set(writes.filter((w, i) => !failed.has(i) && (w.current === undefined || allReplaced)).map((w) => w.id));
  }

  async list(request: ListRequest<View>): Promise<ListResult<View>> {
    return this.read(request.order, request, request.accept);
  }

  async search(request: SearchRequest): Promise<ListResult<View>> {
    const search = this.spec.search;
    if (search === undefined || request.tokens.length === 0) return { views: [] };
    return this.read(search.order, { ...request, filter: { [SEARCH_TOKENS]: { $all: [...request.tokens] } } });
  }

  /** Reads an order from a position in batches, checks the filter on each view, until `want` views or the read bound. */
  private async read(
    orderName: string,
    request: { after?: OrderPosition; descending?: boolean; want: number; end?: OrderKey; filter?: Document },
    accept?: (view: View) => boolean,
  ): Promise<ListResult<View>> {
    const order = orderOf(this.spec, orderName);
    const field = `${ORDER_KEYS}.${order.name}`;
    const direction = request.descending === true ? -1 : 1;
    const views: View[] = [];
    let after = request.after;
    let read = 0;
    while (views.length < request.want) {
      const batch = accept === undefined ? request.want - views.length : Math.max(READ_BATCH, request.want - views.length);
      const filter = { $and: [{ [field]: { $exists: true } }, request.filter ?? {}, ...this.range(field, after, request.end, direction)] };
      const docs = await this.views
        .find(filter, { projection: { [SEARCH_TOKENS]: 0 } })
        .sort({ [field]: direction, _id: direction })
        .limit(batch)
        .toArray();
      read += docs.length;
      for (const doc of docs) {
        const { [ORDER_KEYS]: _keys, ...view } = doc;
        if (accept === undefined || accept(asView<View>(view))) views.push(asView<View>(view));
      }
      const last = docs[docs.length - 1];
      if (docs.length < batch || last === undefined) return { views };
      const lastKey = order.key(asView<View>(last));
      if (lastKey === undefined) return { views };
      after = { key: lastKey };
      if (read >= (this.options.maxReadPerCall ?? MAX_READ) && views.length < request.want) return { views, resume: after };
    }
    return { views };
  }

  /** The keyset conditions: beyond `after` and before `end` in the direction of travel, ties broken by id. */
  private range(field: string, after: OrderPosition | undefined, end: OrderKey | undefined, direction: 1 | -1): Document[] {
    const [beyond, before] = direction === 1 ? (['$gt', '$lt'] as const) : (['$lt', '$gt'] as const);
    const conditions: Document[] = [];
    if (after !== undefined) {
      const [key, id] = after.key;
      const idBeyond = after.inclusive === true ? `${beyond}e` : beyond;
      conditions.push({ $or: [{ [field]: { [beyond]: key } }, { [field]: key, _id: { [idBeyond]: id } }] });
    }
    if (end !== undefined) {
      const [key, id] = end;
      conditions.push({ $or: [{ [field]: { [before]: key } }, { [field]: key, _id: { [before]: id } }] });
    }
    return conditions;
  }

  /** The view as stored: its sort key in each order it is listed in, and its search tokens. */
  private stored(view: View): StoredView {
    const keys: Record<string, string | number> = {};
    for (const order of this.spec.orders ?? []) {
      const key = order.key(view);
      if (key !== undefined) keys[order.name] = key[0];
    }
    const tokens = this.spec.search?.tokens(view);
    return { ...view, [ORDER_KEYS]: keys, ...(tokens === undefined ? {} : { [SEARCH_TOKENS]: [...tokens] }) };
  }
}
