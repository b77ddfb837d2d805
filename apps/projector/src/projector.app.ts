import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { NatsClient, natsProbe } from '@cqrs/messaging';
import { createViewDatabase, mongoProbe } from '@cqrs/view-store';
import type { ProjectorConfig } from './projector.config';

/** Connects the projector's dependencies; its only gRPC surface is health (for probes). */
export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<RunningGrpcServer> {
  const views = createViewDatabase(config);
  const nats = new NatsClient(config, 'projector', logger);
  return startGrpcServer({
    config,
    logger,
    services: [],
    probes: [mongoProbe(views), natsProbe(nats)],
    onShutdown: [() => nats.close(), () => views.close()],
  });
}
