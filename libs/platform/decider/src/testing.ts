import { foldEvents, type Decider } from './decider';

/**
 * Given / when / then for deciders:
 *   given([created]).when(changePrice).then([priceChanged])
 *   given([created, deleted]).when(changePrice).thenThrows(IllegalStateError)
 */
export function deciderSpec<State, Command, Event>(decider: Decider<State, Command, Event>) {
  return (given: readonly Event[]) => ({
    when: (command: Command) => {
      const run = () => decider.decide(command, foldEvents(decider, given));
      return {
        then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
        thenThrows: <E extends Error>(errorClass: new (...args: never[]) => E, check?: (error: E) => void) => {
          let thrown: unknown;
          try {
            run();
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toBeInstanceOf(errorClass);
          check?.(thrown as E);
        },
      };
    },
  });
}
