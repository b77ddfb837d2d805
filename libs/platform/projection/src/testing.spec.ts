import type { Projection, ViewDocument } from './projection';
import { projectionSpec } from './testing';

interface Tally extends ViewDocument {
  readonly total: number;
}
interface Added {
  readonly aggregateId: string;
  readonly streamType: string;
  readonly version: number;
  readonly by: number;
}
const tallies: Projection<Tally, Added> = {
  name: 'tallies',
  streamType: 'tally',
  collection: 'tallies',
  indexes: [],
  apply: (view, event) => {
    if (event.by < 0) throw new RangeError('negative');
    return event.by === 0 ? undefined : { _id: event.aggregateId, version: 0, total: (view?.total ?? 0) + event.by };
  },
  parked: (aggregateId, version) => ({ _id: aggregateId, version, total: 0 }),
};
const added = (version: number, by: number): Added => ({ aggregateId: 'a', streamType: 'tally', version, by });
const given = projectionSpec(tallies);

describe('projectionSpec', () => {
  it('folds the given events and the one under test as the runtime does, versions recorded', () => {
    given([added(1, 2)])
      .when(added(2, 3))
      .then({ total: 5, version: 2 });
    given([added(1, 2)]).then({ total: 2, version: 1 });
  });

  it('says when an event changes nothing and when it cannot be applied', () => {
    expect(
      given([added(1, 2)])
        .when(added(2, 0))
        .view(),
    ).toMatchObject({ total: 2, version: 2 });
    given([added(1, 2)])
      .when(added(2, -1))
      .thenThrows(RangeError);
  });
});
