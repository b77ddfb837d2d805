import type { OrderKey } from './keyset';

/** A view document: one per aggregate, keyed by its id, carrying the last applied version. */
export interface ViewDocument {
  readonly _id: string;
  /** The last applied version of the projection's own stream (`streamType`). */
  readonly version: number;
  readonly parkedVersions?: readonly number[];
  /** In a view fed by several streams: the last applied version of each further source, by sourceKey(). */
  readonly sourceVersions?: Readonly<Record<string, number>>;
  /** In a view fed by several streams: raised by every write, so writers fed by different sources compare-and-set on it. */
  readonly revision?: number;
}

/** What a projection needs to know of an event to order it; the envelope of the contracts has it. */
export interface ProjectedEvent {
  readonly aggregateId: string;
  readonly streamType: string;
  readonly version: number;
}

/** A secondary index on the view, by its fields (the view store adds those its engine needs for lists and search). */
export interface IndexSpec {
  readonly key: Readonly<Record<string, 1 | -1>>;
  readonly name: string;
}

/** An order a list can be paged in: where a view sorts (the key ends with its id), undefined to leave it out. */
export interface ListOrder<View> {
  readonly name: string;
  key(view: View): OrderKey | undefined;
}

/** What a search looks at: the view's words, and the list order results come in. */
export interface SearchSpec<View> {
  /** The name of one of the projection's orders. */
  readonly order: string;
  tokens(view: View): readonly string[];
}

/** What the view store needs to know of a projection's views. */
export interface ViewSpec<View extends ViewDocument> {
  readonly name: string;
  readonly collection: string;
  readonly sources?: readonly string[];
  readonly indexes: readonly IndexSpec[];
  readonly orders?: readonly ListOrder<View>[];
  readonly search?: SearchSpec<View>;
}

/**
 * A projection is a declaration: which stream type it follows, how one event changes a view,
 * the view's indexes, list orders and searchable words. The runtime and the view store do the
 * rest (ordering, idempotency, batching, parking, paging).
 */
export interface Projection<View extends ViewDocument, Event extends ProjectedEvent = ProjectedEvent> extends ViewSpec<View> {
  /** Also names its durable consumer (`projector-<name>`) and its checkpoint. */
  readonly name: string;
  readonly streamType: string;
  /**
   * Further stream types whose events change the same views (the view id is the event's aggregate
   * id in each). Each source is consumed on its own and its version kept per view, so every event
   * takes effect once whatever the interleaving of the sources.
   */
  readonly sources?: readonly string[];
  /** The view after the event; undefined when the event type does not concern it. Throws when the event cannot be applied. */
  apply(current: View | undefined, event: Event): View | undefined;
  /** The view that stands in when the aggregate's first event was parked (version 0 for a further source's event). */
  parked(aggregateId: string, version: number, at: Date): View;
}

/** The field name under which a source's version is kept (MongoDB reads dots as paths). */
export function sourceKey(streamType: string): string {
  return streamType.replace(/\./g, '_');
}

/** The last version of `streamType`'s events applied to the view (0 when none). */
export function versionIn(view: ViewDocument | undefined, projection: { readonly streamType: string }, streamType: string): number {
  if (view === undefined) return 0;
  return streamType === projection.streamType ? view.version : (view.sourceVersions?.[sourceKey(streamType)] ?? 0);
}

/** The view after an event with the event's version recorded for its source; another source's event leaves `version` as it was. */
export function recordApplied<View extends ViewDocument>(
  projection: { readonly streamType: string },
  view: View | undefined,
  event: ProjectedEvent,
  before: View | undefined,
): View | undefined {
  if (view === undefined) return undefined;
  if (event.streamType === projection.streamType) return { ...view, version: event.version };
  return {
    ...view,
    version: before?.version ?? 0,
    sourceVersions: { ...before?.sourceVersions, [sourceKey(event.streamType)]: event.version },
  };
}

/** Every stream type a projection reads: its own, then its further sources. */
export function sourcesOf(projection: { readonly streamType: string; readonly sources?: readonly string[] }): string[] {
  return [projection.streamType, ...(projection.sources ?? [])];
}

/** The projection's order of that name; throws when it declares none (a programming error). */
export function orderOf<View extends ViewDocument>(spec: ViewSpec<View>, name: string): ListOrder<View> {
  const order = spec.orders?.find((o) => o.name === name);
  if (order === undefined) throw new Error(`${spec.name} declares no order ${name}`);
  return order;
}
