import type { Db } from 'mongodb';
import type { NatsConnection } from 'nats';
import { commonV1, republishSubject, viewChangedSubject } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import { ProjectionApplier, type Gap, type ProjectionApplierOptions } from './projection-applier';
import type { ViewCatalog } from './view-catalog';
import { sourceKey, type Projection, type ViewDocument, type ViewStore } from '@cqrs/projection';

export interface JetStreamProjectorOptions {
  readonly subjectPrefix: string;
  /** The stream type this projector consumes: the projection's own (default) or one of its further sources. */
  readonly source?: string;
  /** Most events applied in one batch (one bulk write). Default 256. */
  readonly batchSize?: number;
  /** Most events delivered and not yet acknowledged. Default two batches. */
  readonly maxAckPending?: number;
  /** Redelivery delay of an event waiting for its predecessor. Default 500 ms. */
  readonly gapDelayMs?: number;
  /** First redelivery delay of a failing event; doubles per delivery. Default 500 ms. */
  readonly retryDelayMs?: number;
  /**
   * How long a gap may last, beyond the ack wait, before the command side is asked to re-publish the
   * missing events. Until the ack wait has passed, the missing events may be held by a projector
   * that died and will come back by redelivery. Default 5 s.
   */
  readonly gapRepairAfterMs?: number;
  /**
   * How long JetStream waits for an ack before it redelivers: after a crash, the events the dead
   * process held come back this late. Events held here (queued or being written) are kept alive
   * with progress signals, so a short wait never redelivers them to a live projector. Default 10 s.
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

/** One delivered event, as the platform's durable consumer (`@cqrs/messaging`) hands it over. */
export interface ProjectorDelivery {
  readonly value: commonV1.EventEnvelope;
  readonly deliveries: number;
}

/** What becomes of a delivered event: acknowledged, redelivered after a delay, or never delivered again. */
export type ProjectorOutcome = 'ack' | 'term' | { readonly nakDelayMs: number };

/** The durable consumer a projector needs: the app passes these to `createDurableConsumer` with the streams' names. */
export interface ProjectorConsumerSettings {
  readonly streamType: string;
  readonly name: string;
  readonly decode: (data: Uint8Array) => commonV1.EventEnvelope;
  readonly batchSize: number;
  readonly maxAckPending: number;
  readonly ackWaitMs: number;
  readonly retryDelayMs: number;
  readonly prepare: () => Promise<void>;
}

/**
 * Feeds one projection (and source) from a durable JetStream consumer: it says which consumer it
 * needs (`consumer`) and handles its batches (`handle`). The consumer hands out events in
 * micro-batches: one at a time when traffic is light (low latency), as many as have arrived while
 * the previous batch was written when catching up (bulk writes). After each batch the projector
 * announces the changed views on core NATS.
 */
export class JetStreamProjector<View extends ViewDocument> {
  readonly consumer: ProjectorConsumerSettings;
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
    const batchSize = options.batchSize ?? 256;
    this.consumer = {
      streamType: this.source,
      name: projectorConsumerName(projection, this.source),
      decode: decodeEnvelope,
      batchSize,
      // In flight: two batches, one being written and one arriving meanwhile.
      maxAckPending: options.maxAckPending ?? batchSize * 2,
      ackWaitMs: this.ackWaitMs(),
      retryDelayMs: options.retryDelayMs ?? 500,
      prepare: async () => (await this.applier()).ensureIndexes(),
    };
  }

  /** Applies a batch of events and says, per event, whether it is done (applied, a duplicate, parked) or comes back later. */
  readonly handle = (batch: readonly ProjectorDelivery[]): Promise<ProjectorOutcome[]> => this.process(batch);

  private get source(): string {
    return this.options.source ?? this.projection.streamType;
  }

  private ackWaitMs(): number {
    return this.options.ackWaitMs ?? 10_000;
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

  private async process(batch: readonly ProjectorDelivery[]): Promise<ProjectorOutcome[]> {
    const applier = await this.applier();
    const { outcomes, changed, gaps } = await applier.applyBatch(batch.map(({ value, deliveries }) => ({ envelope: value, deliveries })));
    if (await this.swappedUnder(applier)) {
      // A rebuild swapped the collections while this batch was written to the replaced ones, and
      // its last catch-up may already be over: redeliver the batch so the new collections get it.
      this.logger.info({ size: batch.length }, 'collections were swapped during the batch; it will be applied again');
      return batch.map(() => ({ nakDelayMs: 0 }));
    }
    const settled = batch.map(({ value: envelope, deliveries }, i): ProjectorOutcome => {
      const outcome = outcomes[i];
      if (outcome === 'parked')
        this.logger.warn(
          { eventId: envelope.eventId, streamId: envelope.streamId, version: envelope.version },
          'event parked in the dead-letter collection',
        );
      if (outcome === 'applied' || outcome === 'duplicate' || outcome === 'parked') return 'ack';
      if (outcome === 'gap') return { nakDelayMs: this.options.gapDelayMs ?? 500 };
      return { nakDelayMs: Math.min(30_000, this.consumer.retryDelayMs * 2 ** Math.max(0, deliveries - 1)) };
    });
    for (const [aggregateId, version] of changed) {
      this.nc.publish(viewChangedSubject(this.options.subjectPrefix, this.projection.streamType, aggregateId), JSON.stringify({ version }));
    }
    this.repairLongGaps(changed, gaps);
    return settled;
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

/** An event envelope of an aggregate, or an error (the consumer terminates the message and logs it). */
function decodeEnvelope(data: Uint8Array): commonV1.EventEnvelope {
  const envelope = commonV1.EventEnvelope.decode(data);
  if (envelope.aggregateId === '' || envelope.version <= 0) throw new Error('not an event envelope: no aggregate id or version');
  return envelope;
}
