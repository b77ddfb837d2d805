import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from '@cqrs/logging';
import { ensureEventStream, type EventStreamConfig } from './event-stream';
import { ConsumerNotFoundError, natsCall, unlessMissing } from './nats-errors';

export interface DurableConsumerOptions<T> {
  /** Names the event streams; the stream of `streamType` is created when it does not exist yet. */
  readonly streams: EventStreamConfig;
  /** The stream type whose events are consumed, e.g. "catalog.product". */
  readonly streamType: string;
  /** The durable consumer's name, saying who consumes what; shared by every replica. */
  readonly name: string;
  /** Turns a message's payload into what the handler gets; a message it throws on is terminated and logged. */
  readonly decode: (data: Uint8Array) => T;
  /** Most messages handed to the handler in one call. Default 1. */
  readonly batchSize?: number;
  /** Handler calls running at once; the messages of one subject are always handled one call after another. Default 1. */
  readonly concurrency?: number;
  /**
   * Most messages delivered and not yet acknowledged (JetStream's max_ack_pending), those waiting for a
   * delayed redelivery included: the bound on what is held here. Default two rounds of work
   * (2 × batchSize × concurrency).
   */
  readonly maxAckPending?: number;
  /**
   * How long JetStream waits for an ack before it redelivers: after a crash, what the dead process held
   * comes back this late. Messages held here get progress signals every third of it, so a live
   * consumer never sees them again however slow its handler. Default 10 s.
   */
  readonly ackWaitMs?: number;
  /**
   * Redelivery delay of the messages of a handler call that threw (a dependency is down, most likely;
   * a message's own failure is the handler's to answer with an outcome). Default 500 ms.
   */
  readonly retryDelayMs?: number;
  /** Sets up what the handler needs (a view's indexes, say) before the first message; retried like the rest of the setup. */
  readonly prepare?: () => Promise<void>;
  /** First delay of the reconnect loop after a failure (doubling, up to 5 s). Default 100 ms. */
  readonly reconnectDelayMs?: number;
}

export interface Delivery<T> {
  readonly value: T;
  readonly subject: string;
  /** Stream sequence. */
  readonly seq: number;
  /** 1 on the first delivery, then one more per redelivery. */
  readonly deliveries: number;
}

/** What becomes of a delivered message: acknowledged, redelivered after a delay, or never delivered again. */
export type Outcome = 'ack' | 'term' | { readonly nakDelayMs: number };

/**
 * Handles a batch and says what becomes of each message (one outcome per message, in order). A
 * handler that throws has its whole batch redelivered after `retryDelayMs`.
 */
export type BatchHandler<T> = (batch: readonly Delivery<T>[]) => Promise<readonly Outcome[]>;

export interface DurableConsumer {
  readonly name: string;
  /** Starts in the background; creating the stream and consumer, and consuming, are retried until they work. */
  start(): void;
  /**
   * Stops taking messages and waits for the handler calls under way; messages received but not yet
   * handed to the handler are released at once (redelivered, here or to another replica). Does not
   * wait for NATS.
   */
  stop(): Promise<void>;
}

/** A delay that doubles per attempt (1, 2, 4…), from firstMs up to maxMs. */
export function backoffMs(attempt: number, firstMs: number, maxMs = 30_000): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(0, attempt - 1), 20));
}

/**
 * The durable JetStream consumer every reader of the event streams uses: explicit acks, at most
 * `maxAckPending` messages held, progress signals for all of them, batches handed to one handler,
 * and a loop that creates the stream and the consumer again (and reconnects) after any failure,
 * a consumer deleted behind its back included.
 */
export function createDurableConsumer<T>(
  nc: NatsConnection,
  options: DurableConsumerOptions<T>,
  handler: BatchHandler<T>,
  logger: Logger,
): DurableConsumer {
  return new JetStreamDurableConsumer(nc, options, handler, logger);
}

class JetStreamDurableConsumer<T> implements DurableConsumer {
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly ackWaitMs: number;
  private readonly maxAckPending: number;
  /** Received, not yet handed to the handler. */
  private readonly queue: JsMsg[] = [];
  /** Received and not yet acknowledged: queued or being handled. */
  private readonly held = new Set<JsMsg>();
  /** The last handler call of each subject, which the next one of that subject waits for. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly calls = new Set<Promise<void>>();
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: DurableConsumerOptions<T>,
    private readonly handler: BatchHandler<T>,
    private readonly logger: Logger,
  ) {
    this.batchSize = options.batchSize ?? 1;
    this.concurrency = options.concurrency ?? 1;
    this.ackWaitMs = options.ackWaitMs ?? 10_000;
    this.maxAckPending = options.maxAckPending ?? 2 * this.batchSize * this.concurrency;
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    void this.consumeForever();
    this.heartbeat = setInterval(() => {
      for (const message of this.held) message.working();
    }, this.ackWaitMs / 3);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    this.wake?.();
    for (const message of this.queue.splice(0)) this.settle(message, { nakDelayMs: 0 });
    while (this.calls.size > 0) await Promise.all(this.calls);
    clearInterval(this.heartbeat);
  }

  private async consumeForever(): Promise<void> {
    let failures = 0;
    let prepared = false;
    while (!this.stopped && !this.nc.isClosed()) {
      try {
        if (!prepared) {
          await this.options.prepare?.();
          prepared = true;
        }
        const stream = await this.ensure();
        const consumer = await natsCall(() => this.nc.jetstream().consumers.get(stream, this.name));
        // A deleted stream or consumer ends the iteration (instead of waiting for it to come back), so it is created again.
        const messages = await natsCall(() =>
          consumer.consume({
            max_messages: Math.min(this.maxAckPending, this.batchSize * this.concurrency),
            abort_on_missing_resource: true,
          }),
        );
        this.messages = messages;
        if (this.stopped) {
          messages.stop();
          break;
        }
        this.logger.info({ consumer: this.name, stream }, failures > 0 ? 'consumer running again' : 'consumer running');
        failures = 0;
        for await (const message of messages) {
          if (this.stopped) {
            message.nak();
            continue;
          }
          this.held.add(message);
          this.queue.push(message);
          this.dispatch();
        }
      } catch (err) {
        failures++;
        if (this.stopped) break;
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ err, failures, consumer: this.name }, 'could not consume; retrying');
        await this.sleep(backoffMs(failures, this.options.reconnectDelayMs ?? 100, 5_000));
      }
    }
  }

  /** Creates the stream and the consumer, or brings the consumer's settings up to date; returns the stream's name. */
  private async ensure(): Promise<string> {
    const jsm = await natsCall(() => this.nc.jetstreamManager());
    const stream = await natsCall(() => ensureEventStream(jsm, this.options.streams, this.options.streamType));
    const tunable = { ack_wait: nanos(this.ackWaitMs), max_ack_pending: this.maxAckPending };
    const existing = await unlessMissing(ConsumerNotFoundError, () => jsm.consumers.info(stream, this.name));
    if (existing === undefined) {
      // The stream holds only this stream type's events: no filter subject (see ensureEventStream).
      const config = { durable_name: this.name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...tunable };
      await natsCall(() => jsm.consumers.add(stream, config));
    } else if (existing.config.ack_wait !== tunable.ack_wait || existing.config.max_ack_pending !== tunable.max_ack_pending) {
      await natsCall(() => jsm.consumers.update(stream, this.name, tunable));
    }
    return stream;
  }

  /** Hands queued messages to the handler while fewer than `concurrency` calls are running. */
  private dispatch(): void {
    while (!this.stopped && this.calls.size < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      const subjects = [...new Set(batch.map((message) => message.subject))];
      const before = subjects.map((subject) => this.tails.get(subject)).filter((tail) => tail !== undefined);
      const call = Promise.all(before).then(() => this.handle(batch));
      for (const subject of subjects) this.tails.set(subject, call);
      this.calls.add(call);
      void call.finally(() => {
        this.calls.delete(call);
        for (const subject of subjects) if (this.tails.get(subject) === call) this.tails.delete(subject);
        this.dispatch();
      });
    }
  }

  /** Decodes, runs the handler and settles every message of the batch; never throws. */
  private async handle(batch: readonly JsMsg[]): Promise<void> {
    const deliveries: Array<Delivery<T> & { readonly message: JsMsg }> = [];
    for (const message of batch) {
      try {
        const value = this.options.decode(message.data);
        deliveries.push({ value, subject: message.subject, seq: message.seq, deliveries: message.info.redeliveryCount, message });
      } catch (err) {
        this.logger.error({ err, subject: message.subject, seq: message.seq }, 'message cannot be decoded; terminated');
        this.settle(message, 'term');
      }
    }
    if (deliveries.length === 0) return;
    let outcomes: readonly Outcome[];
    try {
      outcomes = await this.handler(deliveries);
    } catch (err) {
      this.logger.error({ err, size: deliveries.length }, 'handler failed; the batch will be redelivered');
      outcomes = [];
    }
    const retry = { nakDelayMs: this.options.retryDelayMs ?? 500 };
    deliveries.forEach((d, i) => this.settle(d.message, outcomes[i] ?? retry));
  }

  private settle(message: JsMsg, outcome: Outcome): void {
    this.held.delete(message);
    if (outcome === 'ack') message.ack();
    else if (outcome === 'term') message.term();
    else message.nak(outcome.nakDelayMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
