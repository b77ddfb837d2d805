import type { Db } from 'mongodb';
import type { commonV1 } from '@cqrs/contracts';
import { ProjectionApplier } from './projection-applier';
import type { Projection, ViewDocument, ViewStore } from '@cqrs/projection';
import type { ActiveCollections, ViewCatalog } from './view-catalog';

/** Events of one stream type from the source of truth, in global position order. */
export interface EventSource {
  read(afterPosition: number, limit: number): Promise<commonV1.EventEnvelope[]>;
  count(): Promise<number>;
}

export interface RebuildProgress {
  readonly done: number;
  readonly total: number;
}

export interface RebuildOptions {
  /** Events read and applied at once (5,000): a view is written once for all its events in a batch. */
  readonly batchSize?: number;
  /** Pause after the swap before the last catch-up, so projectors notice the swap first. */
  readonly settleMs?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly now?: () => Date;
  /** Views kept in memory while rebuilding, so each is read from the store once at most. */
  readonly viewCacheSize?: number;
}

export interface RebuildSummary {
  readonly events: number;
  readonly views: number;
  readonly parked: number;
  readonly collections: ActiveCollections;
  readonly replaced: ActiveCollections;
  readonly durationMs: number;
}

/**
 * Rebuilds a projection from the event store into fresh collections while the current ones keep
 * serving, swaps them in with one write to the view catalog, then catches up once more with the
 * events that live projectors applied to the old collections meanwhile (idempotent by version).
 * A projector that wrote a batch to the old collections after the swap finds out and has the batch
 * redelivered (JetStreamProjector), so nothing is lost whatever the timing.
 */
export async function rebuildProjection<View extends ViewDocument>(
  db: Db,
  store: ViewStore,
  projection: Projection<View, commonV1.EventEnvelope>,
  catalog: ViewCatalog,
  source: EventSource,
  options: RebuildOptions = {},
): Promise<RebuildSummary> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 5_000;
  const stamp = now().toISOString().replace(/\D/g, '').slice(0, 14);
  const fresh: ActiveCollections = { collection: `${projection.collection}_${stamp}` };
  const replaced = await catalog.active(projection);
  const applier = new ProjectionApplier(db, store, projection, {
    ...fresh,
    maxDeliveries: 1,
    now,
    viewCacheSize: options.viewCacheSize ?? 20_000,
  });
  await applier.ensureIndexes();

  let total = await source.count();
  let done = 0;
  let parked = 0;
  let position = 0;
  // After the swap a live projector writes the same views; a lost compare-and-set is retried
  // on the view it wrote, where the event then is a duplicate.
  const applyInOrder = async (events: commonV1.EventEnvelope[]): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      const { outcomes } = await applier.applyBatch(events.map((envelope) => ({ envelope, deliveries: 1 })));
      const stuck = outcomes.findIndex((o) => o === 'gap' || o === 'retry');
      if (stuck < 0) return outcomes.filter((o) => o === 'parked').length;
      if (attempt >= 5) throw new Error(`event ${events[stuck]?.eventId} could not be applied in order during the rebuild`);
    }
  };
  const catchUp = async () => {
    for (;;) {
      const events = await source.read(position, batchSize);
      if (events.length === 0) return;
      parked += await applyInOrder(events);
      position = events[events.length - 1]?.position ?? position;
      done += events.length;
      total = Math.max(total, done);
      options.onProgress?.({ done, total });
    }
  };

  await catchUp();
  await catalog.swap(projection, fresh, now());
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 2_000));
  total = Math.max(total, await source.count());
  await catchUp();

  // The replaced collections are kept (an operator drops them once no projector or reader uses them).
  const views = await store.collection(projection, fresh.collection).count();
  return { events: done, views, parked, collections: fresh, replaced, durationMs: Date.now() - started };
}
