import { recordApplied, type ProjectedEvent, type Projection, type ViewDocument } from './projection';

/**
 * Given / when / then for projections, the way the runtime applies events (versions recorded per source):
 *   given([created]).when(priceChanged).then({ price: eur(700), version: 2 })
 *   given([created]).when(poison).thenThrows(Error)
 *   given([created, deleted]).view()   for checks of your own (list keys, search tokens)
 */
export function projectionSpec<View extends ViewDocument, Event extends ProjectedEvent>(projection: Projection<View, Event>) {
  const fold = (events: readonly Event[]) =>
    events.reduce<View | undefined>(
      (view, event) => recordApplied(projection, projection.apply(view, event) ?? view, event, view),
      undefined,
    );
  return (given: readonly Event[]) => ({
    view: () => fold(given),
    then: (expected: Partial<View>) => expect(fold(given)).toMatchObject(expected),
    when: (event: Event) => ({
      view: () => fold([...given, event]),
      then: (expected: Partial<View>) => expect(fold([...given, event])).toMatchObject(expected),
      thenUnchanged: () => expect(fold([...given, event])).toEqual(fold(given)),
      thenThrows: (errorClass: new (...args: never[]) => Error) => expect(() => fold([...given, event])).toThrow(errorClass),
    }),
  });
}
