import type { commonV1 } from '@cqrs/contracts';
import type { EventMetadata } from '@cqrs/write-store';

/** Events caused by a reaction name the event that caused them and keep its correlation id. */
export function reactionMetadata(cause: commonV1.EventEnvelope, actor: string): EventMetadata {
  return {
    requestId: `${actor}:${cause.eventId}`,
    correlationId: cause.metadata?.correlationId || cause.metadata?.requestId || cause.eventId,
    causationId: cause.eventId,
    actor,
    ...(cause.metadata?.traceparent ? { traceparent: cause.metadata.traceparent } : {}),
  };
}
