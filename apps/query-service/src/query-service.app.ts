import { catalogV1 } from '@cqrs/contracts';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { NatsClient, natsProbe } from '@cqrs/messaging';
import { createViewDatabase, mongoProbe } from '@cqrs/view-store';
import type { QueryServiceConfig } from './query-service.config';

/** Connects the read side's dependencies and serves catalog.v1.QueryService. */
export async function startQueryService(config: QueryServiceConfig, logger: Logger): Promise<RunningGrpcServer> {
  const views = createViewDatabase(config);
  const nats = new NatsClient(config, 'query-service', logger);
  return startGrpcServer({
    config,
    logger,
    services: [{ definition: catalogV1.QueryServiceService, implementation: {} }],
    probes: [mongoProbe(views), natsProbe(nats)],
    onShutdown: [() => nats.close(), () => views.close()],
  });
}
