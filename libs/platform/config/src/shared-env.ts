import { enumVar, hostVar, intVar, LOG_LEVELS, nameVar, urlVar } from './env-fields';

/** Variables every gRPC app reads; each app picks its own default port. */
export function grpcServerEnv(defaultPort: number) {
  return {
    GRPC_HOST: hostVar('127.0.0.1'),
    GRPC_PORT: intVar(defaultPort, 0, 65_535),
    GRPC_MAX_MESSAGE_BYTES: intVar(4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    GRPC_KEEPALIVE_TIME_MS: intVar(30_000, 1_000, 3_600_000),
    GRPC_KEEPALIVE_TIMEOUT_MS: intVar(10_000, 1_000, 600_000),
    HEALTH_CHECK_INTERVAL_MS: intVar(2_000, 100, 600_000),
    SHUTDOWN_TIMEOUT_MS: intVar(10_000, 100, 600_000),
    LOG_LEVEL: enumVar(LOG_LEVELS, 'info'),
  };
}

export const mysqlEnv = {
  MYSQL_URL: urlVar('mysql://root@127.0.0.1:3306', ['mysql']),
  MYSQL_DATABASE: nameVar('cqrs'),
  MYSQL_POOL_MAX: intVar(10, 1, 500),
};

export const natsEnv = {
  NATS_URL: urlVar('nats://127.0.0.1:4222', ['nats', 'tls']),
  /** Prefix of the JetStream streams' names: one stream per stream type, e.g. EVENTS_CATALOG_PRODUCT. */
  NATS_STREAM: nameVar('EVENTS'),
  /** First token of every event subject; tests set their own so streams never overlap. */
  NATS_SUBJECT_PREFIX: nameVar('events'),
};

export const mongoEnv = {
  MONGODB_URL: urlVar('mongodb://127.0.0.1:27017', ['mongodb', 'mongodb+srv']),
  MONGODB_DATABASE: nameVar('cqrs_views'),
  /**
   * Most connections (so most requests in flight) to the view store. Kept small: the local view
   * store deadlocks when updates in flight take its whole backend pool (see the README).
   */
  MONGODB_MAX_POOL_SIZE: intVar(10, 1, 500),
};
