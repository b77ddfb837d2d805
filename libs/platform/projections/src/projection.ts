import type { IndexDescription } from 'mongodb';
import type { commonV1 } from '@cqrs/contracts';
import type { BucketedOrder } from './ordered-buckets';

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

/** The field name under which a source's version is kept (FerretDB, like MongoDB, reads dots as paths). */
export function sourceKey(streamType: string): string {
  return streamType.replace(/\./g, '_');
}

/** The last version of `streamType`'s events applied to the view (0 when none). */
export function versionIn(view: ViewDocument | undefined, projection: { readonly streamType: string }, streamType: string): number {
  if (view === undefined) return 0;
  return streamType === projection.streamType ? view.version : (view.sourceVersions?.[sourceKey(streamType)] ?? 0);
}

/** Documents derived from a view and kept beside it (e.g. search postings), rewritten when they change. */
export interface DerivedDocuments<View extends ViewDocument> {
  readonly collection: string;
  readonly indexes: readonly IndexDescription[];
  changed(before: View | undefined, after: View): boolean;
  /** The documents a view implies; ids must be stable, as the difference to the previous view is written. */
  documents(view: View): ReadonlyArray<{ readonly _id: string; readonly version: number }>;
}

/**
 * A projection is a declaration: which stream type it follows, how one event changes a view,
 * and the view's indexes. The runtime does the rest (ordering, idempotency, batching, parking).
 */
export interface Projection<View extends ViewDocument> {
  /** Also names its durable consumer (`projector-<name>`) and its checkpoint. */
  readonly name: string;
  readonly streamType: string;
  /**
   * Further stream types whose events change the same views (the view id is the event's aggregate
   * id in each). Each source is consumed on its own and its version kept per view, so every event
   * takes effect once whatever the interleaving of the sources.
   */
  readonly sources?: readonly string[];
  readonly collection: string;
  readonly indexes: readonly IndexDescription[];
  /** The view after the event; undefined when the event type does not concern it. Throws when the event cannot be applied. */
  apply(current: View | undefined, envelope: commonV1.EventEnvelope): View | undefined;
  /** The view that stands in when the aggregate's first event was parked (version 0 for a further source's event). */
  parked(aggregateId: string, version: number, at: Date): View;
  readonly derived?: DerivedDocuments<View>;
  /** Orders the views can be paged in on a store that serves only equality lookups (see ordered-buckets). */
  readonly orders?: readonly BucketedOrder<View>[];
}

/** The view after an event with the event's version recorded for its source; another source's event leaves `version` as it was. */
export function recordApplied<View extends ViewDocument>(
  projection: { readonly streamType: string },
  view: View | undefined,
  envelope: commonV1.EventEnvelope,
  before: View | undefined,
): View | undefined {
  if (view === undefined) return undefined;
  if (envelope.streamType === projection.streamType) return { ...view, version: envelope.version };
  return {
    ...view,
    version: before?.version ?? 0,
    sourceVersions: { ...before?.sourceVersions, [sourceKey(envelope.streamType)]: envelope.version },
  };
}

/** Every stream type a projection reads: its own, then its further sources. */
export function sourcesOf(projection: { readonly streamType: string; readonly sources?: readonly string[] }): string[] {
  return [projection.streamType, ...(projection.sources ?? [])];
}
