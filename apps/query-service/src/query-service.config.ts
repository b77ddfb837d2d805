import { grpcServerEnv, intVar, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';

export const QUERY_SERVICE_DEFAULT_PORT = 50052;

export const queryServiceEnv = {
  ...grpcServerEnv(QUERY_SERVICE_DEFAULT_PORT),
  ...mongoEnv,
  ...natsEnv,
  /** Longest read-your-writes wait, whatever the caller's deadline. */
  QUERY_MAX_WAIT_MS: intVar(10_000, 0, 300_000),
  /** A search whose rarest word has about this many postings or more scans the creation order instead of reading them. */
  QUERY_SEARCH_SCAN_FROM_POSTINGS: intVar(2_048, 0, 1_000_000_000),
  /** Most watch streams (WatchProduct, WatchOrders) open at once; one more is refused with RESOURCE_EXHAUSTED. */
  QUERY_MAX_WATCH_STREAMS: intVar(1_000, 1, 100_000),
  /** Most view-store reads the watch streams make at once (keep it below MONGODB_MAX_POOL_SIZE, so unary reads always get a connection). */
  QUERY_WATCH_READ_CONCURRENCY: intVar(4, 1, 100),
};

export type QueryServiceConfig = ConfigOf<typeof queryServiceEnv>;
