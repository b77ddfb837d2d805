import type { Db } from 'mongodb';
import type { commonV1 } from '@cqrs/contracts';
import { ProjectionApplier } from './projection-applier';
import { recordApplied, type Projection, type ViewDocument, type ViewStore } from '@cqrs/projection';
import type { ViewCatalog } from './view-catalog';

export interface ReplayResult {
  readonly version: number;
  /** 1 when an event still cannot be applied (then nothing was written). */
  readonly parked: number;
  readonly error?: string;
}

/** Recomputes one aggregate's view from all its events, of every source in position order (after a parked event's cause was fixed), and writes it. */
export async function replayAggregate<View extends ViewDocument>(
  db: Db,
  store: ViewStore,
  projection: Projection<View, commonV1.EventEnvelope>,
  catalog: ViewCatalog,
  events: readonly commonV1.EventEnvelope[],
): Promise<ReplayResult> {
  let view: View | undefined;
  for (const envelope of events) {
    try {
      view = recordApplied(projection, projection.apply(view, envelope) ?? view, envelope, view);
    } catch (err) {
      return { version: view?.version ?? 0, parked: 1, error: err instanceof Error ? err.message : String(err) };
    }
  }
  if (view === undefined) return { version: 0, parked: 0 };
  const applier = new ProjectionApplier(db, store, projection, await catalog.active(projection));
  const written = await applier.overwrite(view);
  return { version: written ? view.version : 0, parked: 0 };
}
