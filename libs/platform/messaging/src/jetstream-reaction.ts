import { AckPolicy, DeliverPolicy, nanos, type JsMsg, type NatsConnection } from 'nats';
import { commonV1 } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import { ensureEventStream } from './event-stream';

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
  /** Events handled at once (one aggregate's events always one after another). */
  readonly concurrency?: number;
  /** After a crash, unacknowledged events come back this late; live work is kept alive with progress signals. */
  readonly ackWaitMs?: number;
  /** First redelivery delay of a failing event; doubles per delivery, up to 30 s. */
  readonly retryDelayMs?: number;
  /** Does what the event calls for; must be idempotent, as an event can be delivered again. */
  handle(envelope: commonV1.EventEnvelope): Promise<void>;
}

/**
 * A reaction to another aggregate's events (choreography): a durable JetStream consumer with
 * explicit acks. An event is acknowledged only after its handler succeeded, so a crash at any
 * point redelivers it and the idempotent handler completes the flow; a failing event is retried
 * with backoff for as long as it fails (it is never dropped), without holding up the others.
 */
export class JetStreamReaction {
  private readonly inFlight = new Set<JsMsg>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slots: Array<() => void> = [];
  private running = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private messages: { stop(): void } | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamReactionOptions,
    private readonly logger: Logger,
  ) {}

  get consumerName(): string {
    return `reaction-${this.options.name}`;
  }

  start(): void {
    this.loop = this.consumeForever();
    this.heartbeat = setInterval(() => {
      for (const message of this.inFlight) message.working();
    }, this.ackWaitMs() / 3);
    this.heartbeat.unref();
  }

  /** Stops taking events and waits for the ones being handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
    await Promise.all(this.tails.values());
    clearInterval(this.heartbeat);
  }

  private ackWaitMs(): number {
    return this.options.ackWaitMs ?? 10_000;
  }

  private concurrency(): number {
    return this.options.concurrency ?? 8;
  }

  private async consumeForever(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const stream = await this.ensureConsumer();
        const consumer = await this.nc.jetstream().consumers.get(stream, this.consumerName);
        // No more buffered than can be handled at once: a buffered event gets no progress signals.
        const messages = await consumer.consume({ max_messages: this.concurrency() });
        this.messages = messages;
        if (this.stopped) {
          messages.stop();
          break;
        }
        this.logger.info({ consumer: this.consumerName }, 'reaction running');
        failures = 0;
        for await (const message of messages) {
          await this.slot();
          this.dispatch(message);
        }
      } catch (err) {
        failures++;
        if (this.stopped) break;
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ err, failures }, 'reaction could not consume; retrying');
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** Creates the stream and the durable consumer, or brings the consumer's settings up to date; returns the stream's name. */
  private async ensureConsumer(): Promise<string> {
    const jsm = await this.nc.jetstreamManager();
    // Events waiting for a retry count as pending: room for many, so failing ones never hold up the rest.
    const tunable = { ack_wait: nanos(this.ackWaitMs()), max_ack_pending: Math.max(MAX_FAILING, this.concurrency() * 4) };
    const stream = await ensureEventStream(
      jsm,
      { NATS_STREAM: this.options.stream, NATS_SUBJECT_PREFIX: this.options.subjectPrefix },
      this.options.streamType,
    );
    const existing = await jsm.consumers.info(stream, this.consumerName).catch(() => undefined);
    if (existing === undefined) {
      // The stream holds only this stream type's events: no filter subject (see ensureEventStream).
      await jsm.consumers.add(stream, {
        durable_name: this.consumerName,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...tunable,
      });
    } else if (existing.config.ack_wait !== tunable.ack_wait || existing.config.max_ack_pending !== tunable.max_ack_pending) {
      await jsm.consumers.update(stream, this.consumerName, tunable);
    }
    return stream;
  }

  /** Waits until fewer than `concurrency` events are being handled. */
  private slot(): Promise<void> {
    if (this.running < this.concurrency()) return Promise.resolve();
    return new Promise((resolve) => this.slots.push(resolve));
  }

  /** Handles the event after the previous one of its aggregate (they arrive in version order). */
  private dispatch(message: JsMsg): void {
    this.running++;
    this.inFlight.add(message);
    const key = message.subject;
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(() => this.handle(message));
    this.tails.set(key, tail);
    void tail.finally(() => {
      this.running--;
      this.inFlight.delete(message);
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.slots.shift()?.();
    });
  }

  private async handle(message: JsMsg): Promise<void> {
    let envelope: commonV1.EventEnvelope;
    try {
      envelope = commonV1.EventEnvelope.decode(message.data);
    } catch (err) {
      this.logger.error({ err, subject: message.subject, seq: message.seq }, 'message is not an event envelope; acknowledged and dropped');
      message.ack();
      return;
    }
    try {
      await this.options.handle(envelope);
      message.ack();
    } catch (err) {
      const deliveries = message.info.redeliveryCount;
      const delay = Math.min(30_000, (this.options.retryDelayMs ?? 500) * 2 ** Math.max(0, deliveries - 1));
      this.logger.warn(
        { err, eventId: envelope.eventId, type: envelope.eventType, aggregateId: envelope.aggregateId, deliveries, retryInMs: delay },
        'reaction failed; the event will be redelivered',
      );
      message.nak(delay);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
