import { grpcServerEnv, intVar, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';
import { viewStoreEnv } from '@cqrs/view-store-ferretdb';

export const QUERY_SERVICE_DEFAULT_PORT = 50052;

export const queryServiceEnv = {
  ...grpcServerEnv(QUERY_SERVICE_DEFAULT_PORT),
  ...mongoEnv,
  ...viewStoreEnv,
  ...natsEnv,
  /** Longest read-your-writes wait, whatever the caller's deadline. */
  QUERY_MAX_WAIT_MS: intVar(10_000, 0, 300_000),
  /** Most watch streams (WatchProduct, WatchOrders) open at once; one more is refused with RESOURCE_EXHAUSTED. */
  QUERY_MAX_WATCH_STREAMS: intVar(1_000, 1, 100_000),
  /** Most view-store reads the watch streams make at once (keep it below MONGODB_MAX_POOL_SIZE, so unary reads always get a connection). */
  QUERY_WATCH_READ_CONCURRENCY: intVar(4, 1, 100),
};

export type QueryServiceConfig = ConfigOf<typeof queryServiceEnv>;
