import type { commonV1 } from '@cqrs/contracts';
import type { Projection, ViewDocument } from '@cqrs/projection';

/** A tiny projection for the runtime's own tests: counts "Added" events; "Poison" always fails. */
export interface CounterView extends ViewDocument {
  readonly total: number;
  readonly tags: readonly string[];
}

export const counterProjection: Projection<CounterView, commonV1.EventEnvelope> = {
  name: 'test-counters',
  streamType: 'test.counter',
  collection: 'counters',
  indexes: [{ key: { total: 1 }, name: 'by_total' }],
  orders: [{ name: 'total', key: (view) => [view.total, view._id] }],
  search: { order: 'total', tokens: (view) => view.tags },
  apply(current, envelope) {
    if (envelope.eventType === 'test.Poison') throw new Error('cannot apply poison');
    const by = Number(envelope.payload.toString() || '1');
    const base = current ?? { _id: envelope.aggregateId, version: 0, total: 0, tags: [] };
    return { ...base, version: envelope.version, total: base.total + by, tags: [`t${base.total + by}`] };
  },
  parked: (aggregateId, version) => ({ _id: aggregateId, version, total: 0, tags: [] }),
};
