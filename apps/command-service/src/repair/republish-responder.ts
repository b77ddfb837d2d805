import type { NatsConnection, Subscription } from 'nats';
import { commonV1, republishSubject } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import type { JetStreamEventPublisher } from '@cqrs/messaging';
import { EventStore, streamIdOf, toEnvelope } from '@cqrs/write-store';

const MAX_EVENTS_PER_REQUEST = 1_000;

/**
 * Answers consumers that wait for events the broker lost: reads the asked range from the event
 * store (the source of truth) and publishes it again, under fresh message ids so JetStream's
 * duplicate window does not drop it (consumers are idempotent by version).
 */
export function startRepublishResponder(
  nc: NatsConnection,
  store: EventStore,
  publisher: JetStreamEventPublisher,
  subjectPrefix: string,
  logger: Logger,
): Subscription {
  return nc.subscribe(republishSubject(subjectPrefix), {
    queue: 'command-service-republish',
    callback: (err, message) => {
      if (err) return logger.warn({ err }, 'republish subscription failed');
      void (async () => {
        const request = commonV1.RepublishRequest.decode(message.data);
        const to = Math.min(request.toVersion, request.fromVersion + MAX_EVENTS_PER_REQUEST - 1);
        const events = (await store.readStream(streamIdOf(request.streamType, request.aggregateId), request.fromVersion - 1)).filter(
          (e) => e.version <= to,
        );
        for (const event of events) await publisher.publish(toEnvelope(event), `${event.eventId}:republished:${Date.now()}`);
        logger.info(
          { streamType: request.streamType, aggregateId: request.aggregateId, from: request.fromVersion, to, republished: events.length },
          'republished events on request',
        );
        message.respond(commonV1.RepublishResponse.encode({ republished: events.length }).finish());
      })().catch((error: unknown) => logger.warn({ err: error }, 'could not republish'));
    },
  });
}
