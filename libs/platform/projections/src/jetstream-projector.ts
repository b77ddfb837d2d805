import type { Db } from 'mongodb';
import { AckPolicy, DeliverPolicy, nanos, type Consumer, type JsMsg, type NatsConnection } from 'nats';
import { commonV1, republishSubject, viewChangedSubject } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import { ProjectionApplier, type Gap, type ProjectionApplierOptions } from './projection-applier';
import type { ViewCatalog } from './view-catalog';
import { sourceKey, type Projection, type ViewDocument, type ViewStore } from '@cqrs/projection';

export interface JetStreamProjectorOptions {
  /** Creates the JetStream stream of a stream type when it does not exist yet; returns its name. */
  readonly ensureStream: (streamType: string) => Promise<string>;
  /** The stream type this projector consumes: the projection's own (default) or one of its further sources. */
  readonly source?: string;
  readonly subjectPrefix: string;
  /** Most events applied in one batch (one bulk write). */
  readonly batchSize?: number;
  /** Most events delivered and not yet acknowledged (two batches by default). */
  readonly maxAckPending?: number;
  /** Redelivery delay of an event waiting for its predecessor. */
  readonly gapDelayMs?: number;
  /** First redelivery delay of a failing event; doubles per delivery. */
  readonly retryDelayMs?: number;
  /**
   * How long a gap may last, beyond the ack wait, before the command side is asked to re-publish the
   * missing events. Until the ack wait has passed, the missing events may be held by a projector
   * that died and will come back by redelivery.
   */
  readonly gapRepairAfterMs?: number;
  /**
   * How long JetStream waits for an ack before it redelivers: after a crash, the events the dead
   * process held come back this late. Events held here (queued or being written) are kept alive
   * with progress signals, so a short wait never redelivers them to a live projector.
   */
  readonly ackWaitMs?: number;
}

/** The durable consumer of one projection (and source): its name says who consumes what. */
export function projectorConsumerName(
  projection: { readonly name: string; readonly streamType: string },
  source = projection.streamType,
): string {
  return source === projection.streamType ? `projector-${projection.name}` : `projector-${projection.name}-${sourceKey(source)}`;
}

/**
 * Feeds one projection from a durable JetStream consumer (explicit acks, bounded in flight).
 * Messages are applied in micro-batches: one at a time when traffic is light (low latency),
 * as many as have arrived while the previous batch was written when catching up (bulk writes).
 * After each batch the projector announces the changed views on core NATS.
 */
export class JetStreamProjector<View extends ViewDocument> {
  private readonly batchSize: number;
  private readonly queue: JsMsg[] = [];
  private readonly inProcess = new Set<JsMsg>();
  private heartbeat: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private messages: { stop(): void; close(): Promise<void | Error> } | undefined;
  private loop: Promise<void> | undefined;
  private running = false;

  private readonly appliers = new Map<string, ProjectionApplier<View>>();
  private readonly openGaps = new Map<string, { since: number; askedAt: number }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly db: Db,
    private readonly store: ViewStore,
    private readonly projection: Projection<View, commonV1.EventEnvelope>,
    private readonly catalog: ViewCatalog,
    private readonly logger: Logger,
    private readonly options: JetStreamProjectorOptions & Pick<ProjectionApplierOptions, 'maxDeliveries' | 'viewCacheSize'>,
  ) {
    this.batchSize = options.batchSize ?? 256;
  }

  /** Starts in the background; setting up (indexes, consumer) is retried until it works. */
  start(): void {
    this.loop = this.consumeForever();
    this.heartbeat = setInterval(() => this.signalProgress(), this.ackWaitMs() / 3);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
    await this.draining;
    clearInterval(this.heartbeat);
  }

  private get source(): string {
    return this.options.source ?? this.projection.streamType;
  }

  private ackWaitMs(): number {
    return this.options.ackWaitMs ?? 10_000;
  }

  /** Tells JetStream that the events held here are still being worked on (resets their ack wait). */
  private signalProgress(): void {
    for (const message of this.queue) message.working();
    for (const message of this.inProcess) message.working();
  }

  private async consumeForever(): Promise<void> {
    let failures = 0;
    let indexed = false;
    while (!this.stopped) {
      try {
        if (!indexed) {
          await (await this.applier()).ensureIndexes();
          indexed = true;
        }
        const consumer = await this.consumer();
        const messages = await consumer.consume({ max_messages: this.batchSize });
        this.messages = messages;
        if (failures > 0 || !this.running) this.logger.info('projection running');
        this.running = true;
        failures = 0;
        for await (const message of messages) {
          this.queue.push(message);
          this.draining ??= this.drain();
        }
      } catch (err) {
        failures++;
        if (this.stopped) break;
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ err, failures }, 'projector could not consume; retrying');
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** Writes go to the projection's active collections, looked up per batch, so a rebuild's swap takes effect at once. */
  private async applier(): Promise<ProjectionApplier<View>> {
    const active = await this.catalog.active(this.projection);
    const key = active.collection;
    let applier = this.appliers.get(key);
    if (applier === undefined) {
      applier = new ProjectionApplier(this.db, this.store, this.projection, {
        collection: active.collection,
        maxDeliveries: this.options.maxDeliveries,
        viewCacheSize: this.options.viewCacheSize,
      });
      this.appliers.set(key, applier);
    }
    return applier;
  }

  private async swappedUnder(applier: ProjectionApplier<View>): Promise<boolean> {
    const active = await this.catalog.active(this.projection, { fresh: true });
    return active.collection !== applier.collection;
  }

  private async consumer(): Promise<Consumer> {
    const jsm = await this.nc.jetstreamManager();
    const name = projectorConsumerName(this.projection, this.source);
    // In flight: two batches, one being written and one arriving meanwhile.
    const tunable = { ack_wait: nanos(this.ackWaitMs()), max_ack_pending: this.options.maxAckPending ?? this.batchSize * 2 };
    const stream = await this.options.ensureStream(this.source);
    const existing = await jsm.consumers.info(stream, name).catch(() => undefined);
    if (existing === undefined) {
      // The stream holds only this source's events: no filter subject (see ensureEventStream).
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...tunable,
      });
    } else if (existing.config.ack_wait !== tunable.ack_wait || existing.config.max_ack_pending !== tunable.max_ack_pending) {
      await jsm.consumers.update(stream, name, tunable);
    }
    return this.nc.jetstream().consumers.get(stream, name);
  }

  /** Applies whatever has queued up, batch after batch, until the queue is empty. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        for (const message of batch) this.inProcess.add(message);
        await this.process(batch)
          .catch((err: unknown) => {
            this.logger.error({ err, size: batch.length }, 'batch failed; its events will be redelivered');
            for (const message of batch) message.nak(this.options.retryDelayMs ?? 500);
          })
          .finally(() => {
            for (const message of batch) this.inProcess.delete(message);
          });
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async process(batch: readonly JsMsg[]): Promise<void> {
    const decoded = batch.map((message) => ({ message, envelope: decodeEnvelope(message) }));
    const valid = decoded.filter((d): d is { message: JsMsg; envelope: commonV1.EventEnvelope } => d.envelope !== undefined);
    for (const bad of decoded.filter((d) => d.envelope === undefined)) {
      this.logger.error(
        { subject: bad.message.subject, seq: bad.message.seq },
        'message is not an event envelope; acknowledged and dropped',
      );
      bad.message.ack();
    }
    const applier = await this.applier();
    const { outcomes, changed, gaps } = await applier.applyBatch(
      valid.map(({ message, envelope }) => ({ envelope, deliveries: message.info.redeliveryCount })),
    );
    if (await this.swappedUnder(applier)) {
      // A rebuild swapped the collections while this batch was written to the replaced ones, and
      // its last catch-up may already be over: redeliver the batch so the new collections get it.
      this.logger.info({ size: valid.length }, 'collections were swapped during the batch; it will be applied again');
      for (const { message } of valid) message.nak();
      return;
    }
    valid.forEach(({ message, envelope }, i) => {
      const outcome = outcomes[i];
      if (outcome === 'applied' || outcome === 'duplicate' || outcome === 'parked') message.ack();
      else if (outcome === 'gap') message.nak(this.options.gapDelayMs ?? 500);
      else message.nak(Math.min(30_000, (this.options.retryDelayMs ?? 500) * 2 ** Math.max(0, message.info.redeliveryCount - 1)));
      if (outcome === 'parked')
        this.logger.warn(
          { eventId: envelope.eventId, streamId: envelope.streamId, version: envelope.version },
          'event parked in the dead-letter collection',
        );
    });
    for (const [aggregateId, version] of changed) {
      this.nc.publish(viewChangedSubject(this.options.subjectPrefix, this.projection.streamType, aggregateId), JSON.stringify({ version }));
    }
    this.repairLongGaps(changed, gaps);
  }

  /**
   * A gap that outlasts the ack wait and gapRepairAfterMs means the broker lost events: the command
   * side is asked to publish them again from the event store, and asked again while the gap lasts.
   * Within the ack wait the missing events may be held by a dead process (a crashed predecessor
   * keeps them until then), so asking earlier re-publishes events that are not lost.
   */
  private repairLongGaps(changed: ReadonlyMap<string, number>, gaps: ReadonlyMap<string, Gap>): void {
    const now = Date.now();
    const after = this.ackWaitMs() + (this.options.gapRepairAfterMs ?? 5_000);
    for (const aggregateId of changed.keys()) if (!gaps.has(aggregateId)) this.openGaps.delete(aggregateId);
    for (const [aggregateId, gap] of gaps) {
      const open = this.openGaps.get(aggregateId) ?? { since: now, askedAt: 0 };
      this.openGaps.set(aggregateId, open);
      if (now - open.since < after || now - open.askedAt < after) continue;
      open.askedAt = now;
      const request = commonV1.RepublishRequest.encode({
        streamType: this.source,
        aggregateId,
        fromVersion: gap.have + 1,
        toVersion: gap.waiting - 1,
      }).finish();
      this.logger.warn(
        { aggregateId, missing: `${gap.have + 1}..${gap.waiting - 1}`, waitingMs: now - open.since },
        'gap did not fill; asking the command side to re-publish',
      );
      this.nc
        .request(republishSubject(this.options.subjectPrefix), request, { timeout: 10_000 })
        .catch((err: unknown) => this.logger.warn({ err, aggregateId }, 're-publish request failed; will ask again'));
    }
  }
}

function decodeEnvelope(message: JsMsg): commonV1.EventEnvelope | undefined {
  try {
    const envelope = commonV1.EventEnvelope.decode(message.data);
    return envelope.aggregateId !== '' && envelope.version > 0 ? envelope : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
