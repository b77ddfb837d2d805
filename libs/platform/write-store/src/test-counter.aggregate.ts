import type { Decider } from '@cqrs/decider';
import { IllegalStateError } from '@cqrs/errors';
import type { AggregateType } from './command-executor';

/** A tiny aggregate for the platform's own tests: a counter that may not go below zero. */
export type CounterEvent = { type: 'Added'; data: { by: number; total: number } } | { type: 'Named'; data: { name: string } };
export type CounterCommand = { type: 'Add'; data: { by: number } } | { type: 'Name'; data: { name: string } };
export interface CounterState {
  readonly total: number;
  readonly name?: string;
}

const decider: Decider<CounterState, CounterCommand, CounterEvent> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => (event.type === 'Added' ? { ...state, total: event.data.total } : { ...state, name: event.data.name }),
  decide: (command, state) => {
    if (command.type === 'Name') return [{ type: 'Named', data: { name: command.data.name } }];
    const total = state.total + command.data.by;
    if (total < 0) throw new IllegalStateError('below zero');
    return [{ type: 'Added', data: { by: command.data.by, total } }];
  },
};

export const counterAggregate: AggregateType<CounterState, CounterCommand, CounterEvent> = {
  streamType: 'test.counter',
  decider,
  codec: {
    encode: (event) => ({ type: `test.${event.type}`, schemaVersion: 1, payload: Buffer.from(JSON.stringify(event.data)) }),
    decode: ({ type, payload }) => ({ type: type.slice('test.'.length), data: JSON.parse(payload.toString()) }) as CounterEvent,
  },
  uniqueClaims: (events) => ({
    claims: events.flatMap((e) => (e.type === 'Named' ? [{ scope: 'test.counter.name', value: e.data.name }] : [])),
    releases: [],
  }),
};
