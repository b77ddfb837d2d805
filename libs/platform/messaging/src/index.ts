export { NatsClient, natsProbe } from './nats-connection';
export type { NatsConfig } from './nats-connection';
