import { enumVar, grpcServerEnv, intVar, mysqlEnv, natsEnv, type ConfigOf } from '@cqrs/config';

export const COMMAND_SERVICE_DEFAULT_PORT = 50051;

export const commandServiceEnv = {
  ...grpcServerEnv(COMMAND_SERVICE_DEFAULT_PORT),
  ...mysqlEnv,
  ...natsEnv,
  /** Events the outbox relay publishes per round. */
  RELAY_BATCH_SIZE: intVar(500, 1, 10_000),
  /** How often the relay sweeps the outbox for commits it was not woken for (other replicas'). */
  RELAY_SWEEP_INTERVAL_MS: intVar(1_000, 50, 60_000),
  /** Aggregates whose state is kept between commands (0 loads every aggregate from MySQL each time). */
  COMMAND_STATE_CACHE_SIZE: intVar(10_000, 0, 10_000_000),
  /** Whether this process runs the reactions; "off" makes a replica that only serves commands (the reactions then run in another). */
  REACTIONS: enumVar(['on', 'off'] as const, 'on'),
  /** Events each reaction (stock reservation, order confirmation) handles at once. */
  REACTION_CONCURRENCY: intVar(8, 1, 256),
  /** After a crash, the events a reaction held come back this late. */
  REACTION_ACK_WAIT_MS: intVar(10_000, 1_000, 600_000),
};

export type CommandServiceConfig = ConfigOf<typeof commandServiceEnv>;
