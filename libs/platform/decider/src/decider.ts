/**
 * An aggregate as three pure functions: what the commands decide, how events evolve the state,
 * and where the state starts. Commands and events are plain readonly `{ type, data }` objects.
 */
export interface Decider<State, Command, Event> {
  /** Events that the command causes in this state; throws a PlatformError when it is refused. */
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export type Message<Type extends string, Data> = Readonly<{ type: Type; data: Readonly<Data> }>;

/** Folds events into a state, starting from the decider's initial state or the given one. */
export function foldEvents<State, Event>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  return events.reduce(decider.evolve, from);
}
