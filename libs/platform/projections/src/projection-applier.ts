import { LRUCache } from 'lru-cache';
import type { AnyBulkWriteOperation, Collection, Db, Filter } from 'mongodb';
import { BucketMaintainer } from './bucket-maintainer';
import { chunkedBulkWrite, INSERT_CHUNK_SIZE, insertOrReplace } from './chunked-bulk-write';
import type { commonV1 } from '@cqrs/contracts';
import { DeadLetters } from './dead-letters';
import { recordApplied, versionIn, type Projection, type ViewDocument } from './projection';

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
  readonly derivedCollection?: string | undefined;
  /**
   * Views kept as this applier last wrote them, so the next event for one skips reading it. A
   * view another writer changed meanwhile fails the compare-and-set; it is then dropped from the
   * cache and its events are tried again on a fresh read. 0 turns the cache off.
   */
  readonly viewCacheSize?: number;
}

/** The last batch queued per collection of a multi-source projection (see applyBatch). */
const turns = new Map<string, Promise<void>>();

interface Plan<View extends ViewDocument> {
  readonly aggregateId: string;
  readonly current: View | undefined;
  readonly next: View | undefined;
  readonly indexes: number[];
}

/**
 * Applies batches of events to views exactly once in effect: each view records its version, an
 * event at or below it is a duplicate, an event past the next version is a gap and is not
 * applied, and every view of a batch is written in one unordered bulk write guarded by the
 * version it was read at (compare-and-set), so a concurrent writer can never be overwritten.
 */
export class ProjectionApplier<View extends ViewDocument> {
  private readonly views: Collection<View>;
  private readonly derived: Collection<{ _id: string; version: number }> | undefined;
  private readonly deadLetters: DeadLetters;
  private readonly buckets: BucketMaintainer<View> | undefined;
  private readonly cache: LRUCache<string, View> | undefined;
  private readonly maxDeliveries: number;
  private readonly now: () => Date;
  private readonly multiSource: boolean;

  /** The collection this applier writes views to. */
  get collection(): string {
    return this.views.collectionName;
  }

  constructor(
    db: Db,
    private readonly projection: Projection<View>,
    options: ProjectionApplierOptions = {},
  ) {
    this.views = db.collection<View>(options.collection ?? projection.collection);
    this.derived = projection.derived && db.collection(options.derivedCollection ?? projection.derived.collection);
    this.deadLetters = new DeadLetters(db);
    this.buckets = projection.orders && new BucketMaintainer(db, this.views.collectionName, projection.orders);
    this.multiSource = (projection.sources ?? []).length > 0;
    // With several sources, another source's writer moves views all the time: a cache would mostly miss.
    this.cache = (options.viewCacheSize ?? 0) > 0 && !this.multiSource ? new LRUCache({ max: options.viewCacheSize ?? 0 }) : undefined;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  /** One createIndexes call per index: FerretDB v1 panics when several, already existing, come in one call. */
  async ensureIndexes(): Promise<void> {
    for (const index of this.projection.indexes) await this.views.createIndexes([index]);
    for (const index of this.projection.derived?.indexes ?? []) await this.derived?.createIndexes([index]);
  }

  /**
   * Applies a batch. The writers of a view fed by several sources (one consumer each) take turns
   * within a process: FerretDB v1's compare-and-set is not atomic (see the README), and two
   * consumers of one process would otherwise race on the same views all the time.
   */
  async applyBatch(events: readonly IncomingEvent[]): Promise<BatchResult> {
    if (!this.multiSource) return this.applyNow(events);
    const key = `${this.views.dbName}.${this.views.collectionName}`;
    const previous = turns.get(key) ?? Promise.resolve();
    const result = previous.then(() => this.applyNow(events));
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
    const current = ((await this.views.findOne({ _id: next._id } as Filter<View>)) ?? undefined) as View | undefined;
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
    return ((await this.views.findOne({ _id: aggregateId } as Filter<View>)) ?? undefined) as View | undefined;
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

  /** Places the views in their ordered buckets, writes them, then keeps the buckets in shape; returns the aggregates written. */
  private async write(unplaced: ReadonlyArray<Plan<View> & { next: View }>): Promise<Set<string>> {
    if (unplaced.length === 0) return new Set<string>();
    const directories = await this.buckets?.prepare(unplaced.map((p) => ({ before: p.current, after: p.next })));
    const revised = this.multiSource
      ? unplaced.map((plan) => ({ ...plan, next: { ...plan.next, revision: (plan.current?.revision ?? 0) + 1 } }))
      : unplaced;
    const plans =
      directories === undefined
        ? revised
        : revised.map((plan) => ({ ...plan, next: this.buckets?.place(plan.next, directories) ?? plan.next }));
    const written = await this.writeViews(plans);
    for (const plan of plans) {
      if (written.has(plan.aggregateId)) this.cache?.set(plan.aggregateId, plan.next);
      else this.cache?.delete(plan.aggregateId);
    }
    if (directories !== undefined) {
      await this.buckets?.settle(
        plans.filter((p) => written.has(p.aggregateId)).map((p) => ({ before: p.current, after: p.next })),
        directories,
      );
    }
    return written;
  }

  private async writeViews(plans: ReadonlyArray<Plan<View> & { next: View }>): Promise<Set<string>> {
    await this.writeDerived(plans);
    // New views go in large insert commands (a duplicate id is a lost race, like a lost compare-and-set).
    const inserts = plans
      .filter((plan) => plan.current === undefined)
      .map((plan): AnyBulkWriteOperation<View> => ({ insertOne: { document: plan.next as never } }));
    const replaces = plans.flatMap((plan): AnyBulkWriteOperation<View>[] => {
      if (plan.current === undefined) return [];
      const filter = (
        this.multiSource
          ? { _id: plan.aggregateId, revision: plan.current.revision }
          : { _id: plan.aggregateId, version: plan.current.version }
      ) as Filter<View>;
      return [{ replaceOne: { filter, replacement: plan.next as never } }];
    });
    const [inserted, replaced] = [
      await chunkedBulkWrite(this.views, inserts, INSERT_CHUNK_SIZE),
      await chunkedBulkWrite(this.views, replaces),
    ];
    const complete = !inserted.writeErrors && !replaced.writeErrors && inserted.insertedCount + replaced.matchedCount === plans.length;
    // On FerretDB v1 two racing replaces can both report a match (its update is not an atomic
    // compare-and-set), and a view fed by several sources has writers in other processes (another
    // projector, a rebuild's catch-up): its writes are always read back, so a lost one is retried.
    if (complete && !this.multiSource) return new Set(plans.map((p) => p.aggregateId));
    // Some compare-and-set lost (another writer moved a view): find out which ones landed.
    const landed = await Promise.all(
      plans.map(async (plan) => {
        const stored = await this.views.findOne({ _id: plan.aggregateId } as Filter<View>);
        // Two writers may both have aimed at the next revision: only the one whose versions are stored landed.
        const landed = this.multiSource
          ? stored?.revision === plan.next.revision &&
            stored?.version === plan.next.version &&
            JSON.stringify(stored?.sourceVersions ?? {}) === JSON.stringify(plan.next.sourceVersions ?? {})
          : stored?.version === plan.next.version;
        return landed ? plan.aggregateId : undefined;
      }),
    );
    return new Set(landed.filter((id): id is string => id !== undefined));
  }

  /**
   * Derived documents go first: if the process dies before the view is written, the event is
   * redelivered and they are rewritten. Only the difference is written: documents with a new id are
   * inserted, changed ones replaced, those that vanished deleted by id (an indexed equality on any store).
   */
  private async writeDerived(plans: ReadonlyArray<Plan<View> & { next: View }>): Promise<void> {
    const spec = this.projection.derived;
    const derived = this.derived;
    if (spec === undefined || derived === undefined) return;
    const inserts: { _id: string; version: number }[] = [];
    const operations: AnyBulkWriteOperation<{ _id: string; version: number }>[] = [];
    for (const plan of plans) {
      if (!spec.changed(plan.current, plan.next)) continue;
      const before = new Map(
        (plan.current === undefined ? [] : spec.documents(plan.current)).map((d) => [d._id, JSON.stringify({ ...d, version: 0 })]),
      );
      const after = spec.documents(plan.next);
      for (const document of after) {
        const previous = before.get(document._id);
        if (previous === undefined) inserts.push(document);
        else if (previous !== JSON.stringify({ ...document, version: 0 }))
          operations.push({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } });
      }
      const kept = new Set(after.map((d) => d._id));
      for (const id of before.keys()) if (!kept.has(id)) operations.push({ deleteOne: { filter: { _id: id } } });
    }
    await insertOrReplace(derived, inserts);
    const result = await chunkedBulkWrite(derived, operations);
    if (result.writeErrors) throw new Error(`derived documents of ${spec.collection} could not all be written`);
  }
}
