import { randomUUID } from 'node:crypto';
import { foldEvents, type Decider } from '@cqrs/decider';
import { ConcurrencyError, ValidationError } from '@cqrs/errors';
import { EventStore, IdempotencyRaceError } from './event-store';
import type { AppendResult, EventMetadata, IdempotencyKey, IdempotencyRecord, StoredEvent, UniqueClaim } from './event-store.types';
import { KeyedQueue } from './keyed-queue';
import type { SnapshotStore } from './snapshot-store';
import { StateCache, type CachedState } from './state-cache';
import { streamIdOf } from './stream-id';

export interface EncodedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: Buffer;
}

/** Translates an aggregate's events to and from their stored (Protobuf) form. */
export interface EventCodec<Event> {
  encode(event: Event): EncodedEvent;
  decode(stored: EncodedEvent): Event;
}

/** What loading a stream needs: its type, how its events fold into a state, its codec and snapshots. */
export interface LoadableAggregate<State, Event> {
  readonly streamType: string;
  readonly decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>;
  readonly codec: EventCodec<Event>;
  readonly snapshots?: SnapshotPolicy<State>;
}

/** Events a decision across several streams writes to one of them. */
export interface StreamWrite<Event> {
  readonly aggregate: LoadableAggregate<unknown, Event>;
  readonly aggregateId: string;
  readonly events: readonly Event[];
}

/** Loads a stream's current state for a decision across several streams. */
export type StreamLoader = <State, Event>(aggregate: LoadableAggregate<State, Event>, aggregateId: string) => Promise<State>;

/** What the platform needs to know of an aggregate; a bounded context declares one per aggregate. */
export interface AggregateType<State, Command, Event> {
  /** e.g. "catalog.product"; stream ids and subjects are made from it. */
  readonly streamType: string;
  readonly decider: Decider<State, Command, Event>;
  readonly codec: EventCodec<Event>;
  /** Unique values (e.g. a SKU) that new events claim or give up, checked in the same transaction. */
  readonly uniqueClaims?: (events: readonly Event[], before: State) => { claims: UniqueClaim[]; releases: UniqueClaim[] };
  /** Snapshots for long streams: the state is saved every `every` events and loaded first. */
  readonly snapshots?: SnapshotPolicy<State>;
}

export interface SnapshotPolicy<State> {
  readonly every: number;
  /** Bump when the state's shape changes; older snapshots are then ignored. */
  readonly schemaVersion: number;
  toJson(state: State): unknown;
  fromJson(json: unknown): State;
}

export interface CommandRequest<Command> {
  readonly aggregateId: string;
  readonly command: Command;
  /** When set, the command fails with ConcurrencyError unless the aggregate is at this version. */
  readonly expectedVersion?: number;
  readonly idempotency?: IdempotencyKey;
  readonly metadata: EventMetadata;
  /** The command's time, taken once at the edge; stored as the events' occurred_at. */
  readonly now: Date;
}

export interface CommandExecutorOptions {
  /** Attempts for a command without expectedVersion that loses a version race. */
  readonly maxAttempts?: number;
  /** Called after every commit that wrote events (wakes the outbox relay). */
  readonly onCommitted?: () => void;
  /**
   * Streams whose state is kept after a command (0: none), so the next command on them skips the
   * load. Safe with several processes: a stale state loses the version race and is reloaded, and a
   * command it refuses is decided again on a fresh load before the refusal is answered.
   */
  readonly stateCacheSize?: number;
}

/**
 * Runs a command against an aggregate: load its stream, decide, append with the expected
 * version, all or nothing, with idempotent retries by request id.
 */
export class CommandExecutor {
  private readonly queue = new KeyedQueue();
  private readonly maxAttempts: number;
  private readonly states: StateCache;

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandExecutorOptions = {},
    private readonly snapshots?: SnapshotStore,
  ) {
    this.maxAttempts = options.maxAttempts ?? 12;
    this.states = new StateCache(options.stateCacheSize ?? 0);
  }

  async execute<State, Command, Event>(
    aggregate: AggregateType<State, Command, Event>,
    request: CommandRequest<Command>,
  ): Promise<AppendResult> {
    const { idempotency } = request;
    if (idempotency !== undefined) {
      const previous = await this.store.findIdempotencyRecord(idempotency.requestId);
      if (previous !== undefined) return sameRequestOrThrow(previous, idempotency);
    }
    const streamId = streamIdOf(aggregate.streamType, request.aggregateId);
    return this.queue.run(streamId, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.attempt(aggregate, request, streamId);
        } catch (err) {
          this.states.delete(streamId);
          if (err instanceof IdempotencyRaceError && idempotency !== undefined) {
            const winner = await this.store.findIdempotencyRecord(idempotency.requestId);
            if (winner !== undefined) return sameRequestOrThrow(winner, idempotency);
          }
          // A lost lock (deadlock, lock wait) leaves the stream where it was: worth another try even with an expected version.
          const lockLost = err instanceof ConcurrencyError && err.actualVersion === err.expectedVersion;
          const retry =
            err instanceof ConcurrencyError && (request.expectedVersion === undefined || lockLost) && attempt < this.maxAttempts;
          if (!retry) throw err;
          await sleep(Math.random() * Math.min(10 * 2 ** attempt, 500));
        }
      }
    });
  }

  /**
   * Decides across several streams and appends every stream's events in one transaction, each at
   * the version it was loaded at: all or nothing. A lost race is decided again on fresh loads
   * (bounded, with jitter). States are always read from the store here, never from the cache, as
   * a decision may rest on a stream it does not write.
   */
  async executeAcross(
    decide: (load: StreamLoader) => Promise<ReadonlyArray<StreamWrite<unknown>>>,
    context: { metadata: EventMetadata; now: Date },
  ): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      const loaded = new Map<string, { state: unknown; version: number; snapshotVersion: number }>();
      const load: StreamLoader = async (aggregate, aggregateId) => {
        const streamId = streamIdOf(aggregate.streamType, aggregateId);
        const { state, version, snapshotVersion } = await this.load(aggregate, streamId);
        loaded.set(streamId, { state, version, snapshotVersion });
        return state;
      };
      const writes = (await decide(load)).filter((write) => write.events.length > 0);
      if (writes.length === 0) return [];
      const requests = writes.map((write) => {
        const streamId = streamIdOf(write.aggregate.streamType, write.aggregateId);
        const at = loaded.get(streamId);
        if (at === undefined) throw new Error(`${streamId} is written by a decision that did not load it`);
        return {
          streamType: write.aggregate.streamType,
          aggregateId: write.aggregateId,
          expectedVersion: at.version,
          events: write.events.map((event) => ({ eventId: randomUUID(), ...write.aggregate.codec.encode(event) })),
          metadata: context.metadata,
          occurredAt: context.now,
        };
      });
      try {
        const results = await this.store.appendAll(requests);
        this.options.onCommitted?.();
        for (const result of results) this.states.delete(result.streamId);
        // Streams written only here (a product only orders touch) still get their snapshots.
        await Promise.all(
          writes.map(async (write, i) => {
            const at = loaded.get(results[i]?.streamId ?? '');
            if (at === undefined || results[i] === undefined) return;
            await this.snapshotIfDue(
              write.aggregate,
              results[i].streamId,
              foldEvents(write.aggregate.decider, write.events, at.state),
              results[i].version,
              at.snapshotVersion,
            );
          }),
        );
        return results;
      } catch (err) {
        for (const streamId of loaded.keys()) this.states.delete(streamId);
        if (!(err instanceof ConcurrencyError) || attempt >= this.maxAttempts) throw err;
        await sleep(Math.random() * Math.min(10 * 2 ** attempt, 500));
      }
    }
  }

  private async attempt<State, Command, Event>(
    aggregate: AggregateType<State, Command, Event>,
    request: CommandRequest<Command>,
    streamId: string,
  ): Promise<AppendResult> {
    const cached = this.states.get(streamId) as (CachedState & { state: State }) | undefined;
    const { state, version, snapshotVersion } = cached ?? (await this.load(aggregate, streamId));
    if (request.expectedVersion !== undefined && request.expectedVersion !== version) {
      if (cached !== undefined) return this.reloaded(aggregate, request, streamId);
      throw new ConcurrencyError(streamId, request.expectedVersion, version);
    }
    let events: Event[];
    try {
      events = aggregate.decider.decide(request.command, state);
    } catch (err) {
      if (cached !== undefined) return this.reloaded(aggregate, request, streamId);
      throw err;
    }
    const unique = aggregate.uniqueClaims?.(events, state) ?? { claims: [], releases: [] };
    const result = await this.store.append({
      streamType: aggregate.streamType,
      aggregateId: request.aggregateId,
      expectedVersion: version,
      events: events.map((event) => ({ eventId: randomUUID(), ...aggregate.codec.encode(event) })),
      metadata: request.metadata,
      occurredAt: request.now,
      claims: unique.claims,
      releases: unique.releases,
      idempotency: request.idempotency,
    });
    if (events.length > 0) this.options.onCommitted?.();
    const newState = foldEvents(aggregate.decider, events, state);
    const newSnapshotVersion = await this.snapshotIfDue(aggregate, streamId, newState, result.version, snapshotVersion);
    this.states.set(streamId, { state: newState, version: result.version, snapshotVersion: newSnapshotVersion });
    return result;
  }

  /** Saves the state when the stream has grown `every` events past its snapshot; the snapshot's version after. */
  private async snapshotIfDue<State, Event>(
    aggregate: LoadableAggregate<State, Event>,
    streamId: string,
    state: State,
    version: number,
    snapshotVersion: number,
  ): Promise<number> {
    const policy = aggregate.snapshots;
    if (policy === undefined || this.snapshots === undefined || version - snapshotVersion < policy.every) return snapshotVersion;
    // Best effort: a lost snapshot only means a longer load next time.
    const saved = await this.snapshots.save(streamId, { version, schemaVersion: policy.schemaVersion, state: policy.toJson(state) }).then(
      () => true,
      () => false,
    );
    return saved ? version : snapshotVersion;
  }

  /** A refusal or a version mismatch seen on a kept state is checked against the store first. */
  private reloaded<State, Command, Event>(
    aggregate: AggregateType<State, Command, Event>,
    request: CommandRequest<Command>,
    streamId: string,
  ): Promise<AppendResult> {
    this.states.delete(streamId);
    return this.attempt(aggregate, request, streamId);
  }

  /** The aggregate's state: from its snapshot (when usable) plus the events after it. */
  private async load<State, Event>(aggregate: LoadableAggregate<State, Event>, streamId: string) {
    const policy = aggregate.snapshots;
    const snapshot = policy !== undefined && this.snapshots !== undefined ? await this.snapshots.load(streamId) : undefined;
    const usable = snapshot !== undefined && policy !== undefined && snapshot.schemaVersion === policy.schemaVersion ? snapshot : undefined;
    const from = usable !== undefined && policy !== undefined ? policy.fromJson(usable.state) : aggregate.decider.initialState();
    const snapshotVersion = usable?.version ?? 0;
    const stored = await this.store.readStream(streamId, snapshotVersion);
    const state = foldEvents(
      aggregate.decider,
      stored.map((e: StoredEvent) => aggregate.codec.decode(e)),
      from,
    );
    return { state, version: stored[stored.length - 1]?.version ?? snapshotVersion, snapshotVersion };
  }
}

function sameRequestOrThrow(record: IdempotencyRecord, key: IdempotencyKey): AppendResult {
  if (record.method !== key.method || record.requestHash !== key.requestHash) {
    throw new ValidationError([{ field: 'request_id', description: `was already used for a different request (${record.method})` }], {
      reason: 'REQUEST_ID_REUSED',
      metadata: { request_id: key.requestId },
    });
  }
  const { streamId, aggregateId, version, position } = record;
  return { streamId, aggregateId, version, position };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
