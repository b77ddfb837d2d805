import type { IndexDescription } from 'mongodb';
import type { commonV1 } from '@cqrs/contracts';
import type { BucketedOrder } from './ordered-buckets';

/** A view document: one per aggregate, keyed by its id, carrying the last applied version. */
export interface ViewDocument {
  readonly _id: string;
  readonly version: number;
  readonly parkedVersions?: readonly number[];
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
  readonly collection: string;
  readonly indexes: readonly IndexDescription[];
  /** The view after the event; undefined when the event type does not concern it. Throws when the event cannot be applied. */
  apply(current: View | undefined, envelope: commonV1.EventEnvelope): View | undefined;
  /** The view that stands in when the aggregate's first event was parked. */
  parked(aggregateId: string, version: number, at: Date): View;
  readonly derived?: DerivedDocuments<View>;
  /** Orders the views can be paged in on a store that serves only equality lookups (see ordered-buckets). */
  readonly orders?: readonly BucketedOrder<View>[];
}
