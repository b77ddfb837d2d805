import { commonV1, eventSubject } from '@cqrs/contracts';
import { DependencyUnavailableError } from '@cqrs/errors';
import { ensureEventStream, type EventStreamConfig } from './event-stream';
import type { NatsClient } from './nats-connection';

/**
 * Publishes event envelopes to JetStream with Nats-Msg-Id = event id, so a re-publish inside
 * the duplicate window is dropped by the server. Implements the write store's EventPublisher.
 */
export class JetStreamEventPublisher {
  constructor(
    private readonly client: NatsClient,
    private readonly config: EventStreamConfig,
    private readonly ackTimeoutMs = 5_000,
  ) {}

  /** Creates (or updates) the stream of each stream type; the relay calls it before their first publish. */
  async prepare(streamTypes: ReadonlySet<string>): Promise<void> {
    const jsm = await this.connection().jetstreamManager();
    for (const streamType of streamTypes) await ensureEventStream(jsm, this.config, streamType);
  }

  /** msgId defaults to the event id; a repair passes another one so the duplicate window does not drop it. */
  async publish(envelope: commonV1.EventEnvelope, msgId = envelope.eventId): Promise<void> {
    const subject = eventSubject(this.config.NATS_SUBJECT_PREFIX, envelope.streamType, envelope.aggregateId);
    await this.connection()
      .jetstream()
      .publish(subject, commonV1.EventEnvelope.encode(envelope).finish(), { msgID: msgId, timeout: this.ackTimeoutMs });
  }

  /** Fails fast while disconnected: a publish sent then waits out its whole ack timeout, the reconnect does not answer it. */
  private connection() {
    const nc = this.client.current;
    if (nc === undefined || !this.client.connected) throw new DependencyUnavailableError('nats');
    return nc;
  }
}
