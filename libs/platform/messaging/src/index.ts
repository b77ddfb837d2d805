export { DUPLICATE_WINDOW_MS, ensureEventStream, eventStreamNames } from './event-stream';
export type { EventStreamConfig } from './event-stream';
export { JetStreamEventPublisher } from './jetstream-publisher';
export { NatsClient, natsProbe } from './nats-connection';
export type { NatsConfig } from './nats-connection';
export { ConsumerNotFoundError, JetStreamApiCode, JetStreamApiError, StreamNotFoundError, translateNatsError } from './nats-errors';
export { JetStreamReaction } from './jetstream-reaction';
export type { JetStreamReactionOptions } from './jetstream-reaction';
