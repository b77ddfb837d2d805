import type { commonV1 } from '@cqrs/contracts';
import type { Projection, ViewDocument } from './projection';

/** A tiny projection for the runtime's own tests: counts "Added" events; "Poison" always fails. */
export interface CounterView extends ViewDocument {
  readonly total: number;
  readonly tags: readonly string[];
}

export const counterProjection: Projection<CounterView> = {
  name: 'test-counters',
  streamType: 'test.counter',
  collection: 'counters',
  indexes: [{ key: { total: 1 }, name: 'by_total' }],
  apply(current, envelope: commonV1.EventEnvelope) {
    if (envelope.eventType === 'test.Poison') throw new Error('cannot apply poison');
    const by = Number(envelope.payload.toString() || '1');
    const base = current ?? { _id: envelope.aggregateId, version: 0, total: 0, tags: [] };
    return { ...base, version: envelope.version, total: base.total + by, tags: [`t${base.total + by}`] };
  },
  parked: (aggregateId, version) => ({ _id: aggregateId, version, total: 0, tags: [] }),
  derived: {
    collection: 'counter_tags',
    indexes: [{ key: { counterId: 1 }, name: 'by_counter' }],
    changed: (before, after) => before?.tags.join() !== after.tags.join(),
    documents: (view) => view.tags.map((tag) => ({ _id: `${tag}|${view._id}`, counterId: view._id, tag, version: view.version })),
  },
};
