import { catalogV1 } from '@cqrs/contracts';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { NatsClient, natsProbe } from '@cqrs/messaging';
import { createMysql, ensureDatabase, mysqlProbe } from '@cqrs/write-store';
import type { CommandServiceConfig } from './command-service.config';

/** Connects the write side's dependencies and serves catalog.v1.CommandService. */
export async function startCommandService(config: CommandServiceConfig, logger: Logger): Promise<RunningGrpcServer> {
  await ensureDatabase(config);
  const mysql = createMysql(config);
  const nats = new NatsClient(config, 'command-service', logger);
  return startGrpcServer({
    config,
    logger,
    services: [{ definition: catalogV1.CommandServiceService, implementation: {} }],
    probes: [mysqlProbe(mysql), natsProbe(nats)],
    onShutdown: [() => nats.close(), () => mysql.destroy()],
  });
}
