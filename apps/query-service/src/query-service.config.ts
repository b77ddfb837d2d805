import { grpcServerEnv, intVar, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';

export const QUERY_SERVICE_DEFAULT_PORT = 50052;

export const queryServiceEnv = {
  ...grpcServerEnv(QUERY_SERVICE_DEFAULT_PORT),
  ...mongoEnv,
  ...natsEnv,
  /** Longest read-your-writes wait, whatever the caller's deadline. */
  QUERY_MAX_WAIT_MS: intVar(10_000, 0, 300_000),
};

export type QueryServiceConfig = ConfigOf<typeof queryServiceEnv>;
