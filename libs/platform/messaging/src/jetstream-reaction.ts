import type { NatsConnection } from 'nats';
import { commonV1 } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import { backoffMs, createDurableConsumer, type DurableConsumer, type Outcome } from './durable-consumer';

/** Events that may be failing (waiting for a redelivery) at once without holding up the others. */
const MAX_FAILING = 1_000;

export interface JetStreamReactionOptions {
  /** Prefix of the event streams' names (NATS_STREAM); the reaction reads its stream type's stream. */
  readonly stream: string;
  readonly subjectPrefix: string;
  /** Names the durable consumer (`reaction-<name>`), shared by every replica of the reacting app. */
  readonly name: string;
  /** The stream type whose events it reacts to, e.g. "orders.order". */
  readonly streamType: string;
  /** Events handled at once (one aggregate's events always one after another). Default 8. */
  readonly concurrency?: number;
  /** After a crash, unacknowledged events come back this late; live work is kept alive with progress signals. Default 10 s. */
  readonly ackWaitMs?: number;
  /** First redelivery delay of a failing event; doubles per delivery, up to 30 s. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Does what the event calls for; must be idempotent, as an event can be delivered again. */
  handle(envelope: commonV1.EventEnvelope): Promise<void>;
}

/**
 * A reaction to another aggregate's events (choreography), on the platform's durable consumer. An
 * event is acknowledged only after its handler succeeded, so a crash at any point redelivers it and
 * the idempotent handler completes the flow; a failing event is retried with backoff for as long as
 * it fails (it is never dropped), without holding up the others.
 */
export class JetStreamReaction {
  private readonly consumer: DurableConsumer;

  constructor(nc: NatsConnection, options: JetStreamReactionOptions, logger: Logger) {
    const concurrency = options.concurrency ?? 8;
    const handle = async ([delivery]: ReadonlyArray<{ value: commonV1.EventEnvelope; deliveries: number }>): Promise<Outcome[]> => {
      if (delivery === undefined) return [];
      const envelope = delivery.value;
      try {
        await options.handle(envelope);
        return ['ack'];
      } catch (err) {
        const retryInMs = backoffMs(delivery.deliveries, options.retryDelayMs ?? 500);
        logger.warn(
          {
            err,
            eventId: envelope.eventId,
            type: envelope.eventType,
            aggregateId: envelope.aggregateId,
            deliveries: delivery.deliveries,
            retryInMs,
          },
          'reaction failed; the event will be redelivered',
        );
        return [{ nakDelayMs: retryInMs }];
      }
    };
    this.consumer = createDurableConsumer(
      nc,
      {
        streams: { NATS_STREAM: options.stream, NATS_SUBJECT_PREFIX: options.subjectPrefix },
        streamType: options.streamType,
        name: `reaction-${options.name}`,
        decode: (data) => commonV1.EventEnvelope.decode(data),
        batchSize: 1,
        concurrency,
        ackWaitMs: options.ackWaitMs,
        // Events waiting for a retry count as pending: room for many, so failing ones never hold up the rest.
        maxAckPending: Math.max(MAX_FAILING, concurrency * 4),
      },
      handle,
      logger,
    );
  }

  get consumerName(): string {
    return this.consumer.name;
  }

  start(): void {
    this.consumer.start();
  }

  /** Stops taking events and waits for the ones being handled; does not wait for NATS. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
