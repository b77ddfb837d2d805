import { LRUCache } from 'lru-cache';
import type { Db } from 'mongodb';
import type { commonV1 } from '@cqrs/contracts';
import { recordApplied, versionIn, type Projection, type ViewCollection, type ViewDocument, type ViewStore } from '@cqrs/projection';
import { DeadLetters } from './dead-letters';

export interface IncomingEvent {
  readonly envelope: commonV1.EventEnvelope;
  /** How often the broker has delivered it, this time included. */
  readonly deliveries: number;
}

/**
 * What became of one event: `applied` and `duplicate` and `parked` are done (ack); `gap` waits
 * for its predecessor and `retry` for another attempt (both redelivered later, not applied now).
 */
export type Outcome = 'applied' | 'duplicate' | 'parked' | 'gap' | 'retry';

export interface Gap {
  /** The version the view is at. */
  readonly have: number;
  /** The version of the first event that had to wait. */
  readonly waiting: number;
}

export interface BatchResult {
  readonly outcomes: readonly Outcome[];
  /** The new version of each aggregate whose view changed. */
  readonly changed: ReadonlyMap<string, number>;
  /** Aggregates whose next event has not arrived yet. */
  readonly gaps: ReadonlyMap<string, Gap>;
}

export interface ProjectionApplierOptions {
  /** Deliveries after which an event that keeps failing is parked. */
  readonly maxDeliveries?: number;
  readonly now?: () => Date;
  /** The collection to write (a fresh one during a rebuild); the projection's own by default. */
  readonly collection?: string;
  /**
   * Views kept as this applier last wrote them, so the next event for one skips reading it. A
   * view another writer changed meanwhile fails the compare-and-set; it is then dropped from the
   * cache and its events are tried again on a fresh read. 0 turns the cache off.
   */
  readonly viewCacheSize?: number;
}

interface Plan<View extends ViewDocument> {
  readonly aggregateId: string;
  readonly current: View | undefined;
  readonly next: View | undefined;
  readonly indexes: number[];
}

/**
 * Applies batches of events to views exactly once in effect: each view records its version, an
 * event at or below it is a duplicate, an event past the next version is a gap and is not
 * applied, and every view of a batch is written through the view store guarded by the version
 * it was read at (compare-and-set), so a concurrent writer can never be overwritten.
 */
export class ProjectionApplier<View extends ViewDocument> {
  private readonly views: ViewCollection<View>;
  private readonly deadLetters: DeadLetters;
  private readonly cache: LRUCache<string, View> | undefined;
  private readonly maxDeliveries: number;
  private readonly now: () => Date;
  private readonly multiSource: boolean;

  /** The collection this applier writes views to. */
  get collection(): string {
    return this.views.name;
  }

  /** `db` keeps the dead letters; the views go through `store`. */
  constructor(
    db: Db,
    store: ViewStore,
    private readonly projection: Projection<View, commonV1.EventEnvelope>,
    options: ProjectionApplierOptions = {},
  ) {
    this.views = store.collection(projection, options.collection ?? projection.collection);
    this.deadLetters = new DeadLetters(db);
    this.multiSource = (projection.sources ?? []).length > 0;
    // With several sources, another source's writer moves views all the time: a cache would mostly miss.
    this.cache = (options.viewCacheSize ?? 0) > 0 && !this.multiSource ? new LRUCache({ max: options.viewCacheSize ?? 0 }) : undefined;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  ensureIndexes(): Promise<void> {
    return this.views.ensureIndexes();
  }

  /**
   * Applies a batch. The writers of a view fed by several sources (one consumer each) go through
   * the store's exclusive section, so two consumers of one process do not race on the same views.
   */
  applyBatch(events: readonly IncomingEvent[]): Promise<BatchResult> {
    return this.multiSource ? this.views.exclusive(() => this.applyNow(events)) : this.applyNow(events);
  }

  private async applyNow(events: readonly IncomingEvent[]): Promise<BatchResult> {
    const outcomes: Outcome[] = events.map(() => 'retry');
    const groups = new Map<string, number[]>();
    events.forEach((event, index) => {
      const key = event.envelope.aggregateId;
      groups.set(key, [...(groups.get(key) ?? []), index]);
    });

    const gaps = new Map<string, Gap>();
    const plans = await Promise.all([...groups].map(([aggregateId, indexes]) => this.plan(aggregateId, indexes, events, outcomes, gaps)));
    const writes = plans.filter((p): p is Plan<View> & { next: View } => p.next !== undefined && p.next !== p.current);
    const written = await this.write(writes);

    const changed = new Map<string, number>();
    for (const plan of writes) {
      if (written.has(plan.aggregateId)) {
        changed.set(plan.aggregateId, plan.next.version);
      } else {
        for (const i of plan.indexes) if (outcomes[i] === 'applied' || outcomes[i] === 'parked') outcomes[i] = 'retry';
      }
    }
    return { outcomes, changed, gaps };
  }

  /**
   * Replaces one aggregate's view with a state computed elsewhere (a replay from the event
   * store), unless the stored view is already newer; true when written.
   */
  async overwrite(next: View): Promise<boolean> {
    const current = await this.views.get(next._id);
    if (current !== undefined && current.version > next.version) return false;
    const written = await this.write([{ aggregateId: next._id, current, next, indexes: [] }]);
    return written.has(next._id);
  }

  /**
   * The stored view, from the cache when it is there and the next event follows it; a cached view
   * the event does not follow may be one another writer has moved on, so that case reads the store.
   */
  private async current(aggregateId: string, firstVersion: number): Promise<View | undefined> {
    const cached = this.cache?.get(aggregateId);
    if (cached !== undefined && firstVersion <= cached.version + 1) return cached;
    return this.views.get(aggregateId);
  }

  /** Walks one aggregate's events in order from its current view; decides each outcome. */
  private async plan(
    aggregateId: string,
    indexes: number[],
    events: readonly IncomingEvent[],
    outcomes: Outcome[],
    gaps: Map<string, Gap>,
  ): Promise<Plan<View>> {
    const current = await this.current(aggregateId, events[indexes[0] ?? -1]?.envelope.version ?? 0);
    let next = current;
    let blocked = false;
    for (const i of indexes) {
      const event = events[i];
      if (event === undefined) continue;
      const { envelope } = event;
      const have = versionIn(next, this.projection, envelope.streamType);
      if (blocked) outcomes[i] = 'gap';
      else if (envelope.version <= have) outcomes[i] = 'duplicate';
      else if (envelope.version > have + 1) {
        outcomes[i] = 'gap';
        gaps.set(aggregateId, { have, waiting: envelope.version });
        blocked = true;
      } else {
        try {
          const applied = this.projection.apply(next, envelope);
          next = recordApplied(this.projection, applied ?? next, envelope, next);
          outcomes[i] = 'applied';
        } catch (err) {
          if (event.deliveries < this.maxDeliveries) {
            outcomes[i] = 'retry';
            blocked = true;
          } else {
            await this.deadLetters.park(this.projection.name, envelope, err, event.deliveries, this.now());
            const own = envelope.streamType === this.projection.streamType;
            next =
              next === undefined
                ? recordApplied(
                    this.projection,
                    this.projection.parked(aggregateId, own ? envelope.version : 0, this.now()),
                    envelope,
                    undefined,
                  )
                : recordApplied(
                    this.projection,
                    { ...next, ...(own ? { parkedVersions: [...(next.parkedVersions ?? []), envelope.version] } : {}) },
                    envelope,
                    next,
                  );
            outcomes[i] = 'parked';
          }
        }
      }
    }
    return { aggregateId, current, next, indexes };
  }

  /** Writes the views through the store and keeps the cache; returns the aggregates written. */
  private async write(unguarded: ReadonlyArray<Plan<View> & { next: View }>): Promise<Set<string>> {
    if (unguarded.length === 0) return new Set<string>();
    const plans = this.multiSource
      ? unguarded.map((plan) => ({ ...plan, next: { ...plan.next, revision: (plan.current?.revision ?? 0) + 1 } }))
      : unguarded;
    const written = await this.views.write(
      plans.map((plan) => ({ id: plan.aggregateId, current: plan.current, next: plan.next })),
      this.multiSource ? 'revision' : 'version',
    );
    for (const plan of plans) {
      if (written.has(plan.aggregateId)) this.cache?.set(plan.aggregateId, plan.next);
      else this.cache?.delete(plan.aggregateId);
    }
    return written;
  }
}
