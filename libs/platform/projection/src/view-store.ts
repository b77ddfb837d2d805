import type { OrderKey, OrderPosition } from './keyset';
import type { ViewDocument, ViewSpec } from './projection';

/** One view to write: as it was read (undefined when new) and as it is to be. */
export interface ViewWrite<View extends ViewDocument> {
  readonly id: string;
  readonly current: View | undefined;
  readonly next: View;
}

/** The field a write compares and sets: the version, or the revision of a view fed by several sources. */
export type WriteGuard = 'version' | 'revision';

export interface ListRequest<View> {
  /** The name of one of the projection's orders. */
  readonly order: string;
  readonly after?: OrderPosition;
  readonly descending?: boolean;
  /** How many views to find (a page and one more, to know whether there is a next page). */
  readonly want: number;
  /** Where the list ends (exclusive, in the direction of travel). */
  readonly end?: OrderKey;
  /** Views that pass the query's filters. */
  readonly accept?: (view: View) => boolean;
}

export interface SearchRequest {
  /** Every one of them must be among the view's search tokens. */
  readonly tokens: readonly string[];
  /** A position in the search's order. */
  readonly after?: OrderPosition;
  readonly want: number;
}

export interface ListResult<View> {
  /** Matching views in order, at least `want` unless the order ended or `resume` is set. */
  readonly views: View[];
  /** Where to go on when the store stopped reading before finding `want` views (a filter that matches little). */
  readonly resume?: OrderPosition;
}

/** One collection of views, written and read through the engine the deployment runs on. */
export interface ViewCollection<View extends ViewDocument> {
  readonly name: string;
  ensureIndexes(): Promise<void>;
  get(id: string): Promise<View | undefined>;
  count(): Promise<number>;
  /**
   * Writes the views, each one a compare-and-set on `guard` as it was read (new views only if
   * still absent); returns the ids written. A view left out lost a race and must be read again.
   */
  write(writes: readonly ViewWrite<View>[], guard: WriteGuard): Promise<Set<string>>;
  /** Runs a read-modify-write of several writers of this collection in one process, one at a time where the engine needs it. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  list(request: ListRequest<View>): Promise<ListResult<View>>;
  search(request: SearchRequest): Promise<ListResult<View>>;
}

/** The view store seam: one engine per deployment, chosen at start-up. */
export interface ViewStore {
  readonly engine: string;
  collection<View extends ViewDocument>(spec: ViewSpec<View>, name?: string): ViewCollection<View>;
}
