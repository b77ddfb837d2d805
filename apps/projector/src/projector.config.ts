import { grpcServerEnv, intVar, mongoEnv, natsEnv, type ConfigOf } from '@cqrs/config';
import { viewStoreEnv } from '@cqrs/view-store-ferretdb';

/** The projector serves only grpc.health.v1 (and reflection) on this port. */
export const PROJECTOR_DEFAULT_PORT = 50053;

export const projectorEnv = {
  ...grpcServerEnv(PROJECTOR_DEFAULT_PORT),
  ...mongoEnv,
  ...viewStoreEnv,
  ...natsEnv,
  /** Most events applied in one bulk write. */
  PROJECTOR_BATCH_SIZE: intVar(256, 1, 5_000),
  /** Deliveries after which an event that keeps failing is parked in the dead-letter collection. */
  PROJECTOR_MAX_DELIVERIES: intVar(5, 1, 100),
  /** First redelivery delay of a failing event; doubles per delivery. */
  PROJECTOR_RETRY_DELAY_MS: intVar(500, 10, 60_000),
  /** How long a gap may last, beyond the ack wait, before the command side is asked to re-publish the missing events. */
  PROJECTOR_GAP_REPAIR_AFTER_MS: intVar(5_000, 100, 600_000),
  /** How soon JetStream redelivers the events a crashed projector held. */
  PROJECTOR_ACK_WAIT_MS: intVar(10_000, 1_000, 600_000),
  /** Views kept in memory as last written, so the next event for one skips reading it (0: off). */
  PROJECTOR_VIEW_CACHE_SIZE: intVar(10_000, 0, 1_000_000),
};

export type ProjectorConfig = ConfigOf<typeof projectorEnv>;
