import { grpcServerEnv, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';

/** The projector serves only grpc.health.v1 (and reflection) on this port. */
export const PROJECTOR_DEFAULT_PORT = 50053;

export const projectorEnv = {
  ...grpcServerEnv(PROJECTOR_DEFAULT_PORT),
  ...mongoEnv,
  ...natsEnv,
};

export type ProjectorConfig = ConfigOf<typeof projectorEnv>;
