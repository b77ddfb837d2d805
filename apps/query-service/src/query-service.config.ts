import { grpcServerEnv, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';

export const QUERY_SERVICE_DEFAULT_PORT = 50052;

export const queryServiceEnv = {
  ...grpcServerEnv(QUERY_SERVICE_DEFAULT_PORT),
  ...mongoEnv,
  ...natsEnv,
};

export type QueryServiceConfig = ConfigOf<typeof queryServiceEnv>;
