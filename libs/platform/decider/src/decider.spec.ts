import { foldEvents, type Decider, type Message } from './decider';
import { deciderSpec } from './testing';

type Counted = Message<'Counted', { by: number }>;
type Count = Message<'Count', { by: number }>;
const counter: Decider<number, Count, Counted> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.data.by > 10) throw new RangeError('over ten');
    return [{ type: 'Counted', data: { by: command.data.by } }];
  },
};

describe('decider helpers', () => {
  const given = deciderSpec(counter);

  it('folds events in order from the initial state', () => {
    expect(
      foldEvents(counter, [
        { type: 'Counted', data: { by: 2 } },
        { type: 'Counted', data: { by: 3 } },
      ]),
    ).toBe(5);
  });

  it('runs given / when / then', () => {
    given([{ type: 'Counted', data: { by: 4 } }])
      .when({ type: 'Count', data: { by: 1 } })
      .then([{ type: 'Counted', data: { by: 1 } }]);
  });

  it('runs given / when / thenThrows', () => {
    given([{ type: 'Counted', data: { by: 10 } }])
      .when({ type: 'Count', data: { by: 1 } })
      .thenThrows(RangeError, (err) => expect(err.message).toBe('over ten'));
  });
});
