import { commonV1 } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import type { StoredEvent } from './event-store.types';
import type { MysqlLeaderLock } from './leader-lock';
import type { OutboxStore } from './outbox-store';

/** Where the relay sends events: JetStream in production (see @cqrs/messaging). */
export interface EventPublisher {
  /** Makes sure the destinations of these stream types exist; called before their first publish and after failures. */
  prepare(streamTypes: ReadonlySet<string>): Promise<void>;
  /** Resolves once the broker has acknowledged (and deduplicated by event id) the event. */
  publish(envelope: commonV1.EventEnvelope): Promise<void>;
}

export interface OutboxRelayOptions {
  /** Events read from the outbox per round. */
  readonly batchSize?: number;
  /** How often the outbox is swept when nothing wakes the relay (commits of other replicas). */
  readonly sweepIntervalMs?: number;
  /** Longest pause after a failed publish. */
  readonly maxBackoffMs?: number;
}

/**
 * Publishes committed events from the outbox, in position order, and removes them only once
 * the broker acknowledged them. Only the holder of the leader lock publishes, so two replicas
 * never interleave one aggregate's events. Within a round, each wave publishes at most one
 * event per stream, all waves pipelined across streams; a stream whose publish fails publishes
 * nothing more that round, so its events never overtake each other.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly sweepIntervalMs: number;
  private readonly maxBackoffMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** In the pause after a failed publish, which only publisherAvailable() (or its timer) ends. */
  private awaitingPublisher = false;
  /** Stream types whose destination is known to exist since the last failure. */
  private readonly prepared = new Set<string>();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly lock: MysqlLeaderLock,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * Called after a commit: publish now rather than at the next sweep. It does not end the pause
   * after a failed publish: a commit proves MySQL works, not the broker, and a round per commit
   * would only read the outbox to fail again.
   */
  wake(): void {
    this.woken = true;
    if (!this.awaitingPublisher) this.endIdle();
  }

  /** The publisher's destination is reachable again (the broker reconnected): retry at once. */
  publisherAvailable(): void {
    this.awaitingPublisher = false;
    this.endIdle();
  }

  private endIdle(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
    await this.lock.release();
  }

  private async loop(): Promise<void> {
    let leader = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        const nowLeader: boolean = leader ? await this.lock.isHeld() : await this.lock.tryAcquire();
        if (nowLeader !== leader)
          this.logger.info({ lock: this.lock.name }, nowLeader ? 'outbox relay is the leader' : 'outbox relay lost leadership');
        leader = nowLeader;
        if (!leader) {
          await this.idle(this.sweepIntervalMs);
          continue;
        }
        const published = await this.round();
        failures = 0;
        if (published < this.batchSize) await this.idle(this.sweepIntervalMs);
      } catch (err) {
        failures++;
        this.prepared.clear();
        const backoff = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(failures, 10));
        if (failures === 1 || failures % 10 === 0)
          this.logger.warn({ err, failures, backoffMs: backoff }, 'outbox relay could not publish; retrying');
        await this.idle(backoff);
        this.awaitingPublisher = false;
      }
    }
  }

  /** One batch: returns how many events were read; throws when some could not be published. */
  private async round(): Promise<number> {
    const batch = await this.outbox.pending(this.batchSize);
    if (batch.length === 0) return 0;
    const unprepared = new Set(batch.map((event) => event.streamType).filter((type) => !this.prepared.has(type)));
    if (unprepared.size > 0) {
      await this.publisher.prepare(unprepared).catch((err: unknown) => this.publisherFailed(err));
      for (const type of unprepared) this.prepared.add(type);
    }
    const published: number[] = [];
    const failedStreams = new Set<string>();
    let firstError: unknown;
    for (const wave of wavesOf(batch)) {
      const ready = wave.filter((event) => !failedStreams.has(event.streamId));
      const outcomes = await Promise.allSettled(ready.map((event) => this.publisher.publish(toEnvelope(event))));
      outcomes.forEach((outcome, i) => {
        const event = ready[i];
        if (event === undefined) return;
        if (outcome.status === 'fulfilled') published.push(event.position);
        else {
          failedStreams.add(event.streamId);
          firstError ??= outcome.reason;
        }
      });
    }
    await this.outbox.markPublished(published);
    if (firstError !== undefined) this.publisherFailed(firstError);
    return batch.length;
  }

  private publisherFailed(err: unknown): never {
    this.awaitingPublisher = true;
    throw err;
  }

  private idle(ms: number): Promise<void> {
    if ((this.woken && !this.awaitingPublisher) || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    // A wake during a round (no idle pending) leaves `woken` set, so the next idle returns at once.
    // The handle is dropped when the timer fires: a stale one would clear a later wake during a
    // round, and the relay would sleep a whole sweep interval with events waiting.
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.woken = false;
        resolve();
      };
    });
  }
}

/** Splits a position-ordered batch into waves holding at most one event of each stream, in order. */
export function wavesOf(batch: readonly StoredEvent[]): StoredEvent[][] {
  const waves: StoredEvent[][] = [];
  const depth = new Map<string, number>();
  for (const event of batch) {
    const index = depth.get(event.streamId) ?? 0;
    depth.set(event.streamId, index + 1);
    (waves[index] ??= []).push(event);
  }
  return waves;
}

export function toEnvelope(event: StoredEvent): commonV1.EventEnvelope {
  return commonV1.EventEnvelope.fromPartial({
    eventId: event.eventId,
    streamId: event.streamId,
    streamType: event.streamType,
    aggregateId: event.aggregateId,
    version: event.version,
    position: event.position,
    eventType: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    metadata: {
      requestId: event.metadata.requestId ?? '',
      correlationId: event.metadata.correlationId ?? '',
      causationId: event.metadata.causationId ?? '',
      actor: event.metadata.actor ?? '',
      traceparent: event.metadata.traceparent ?? '',
    },
    payload: event.payload,
  });
}
