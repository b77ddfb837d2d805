import { productsProjection, type ProductViewDocument } from '@cqrs/catalog-read-model';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { ensureEventStream, NatsClient, natsProbe } from '@cqrs/messaging';
import { JetStreamProjector, ViewCatalog } from '@cqrs/projections';
import { createViewDatabase, mongoProbe } from '@cqrs/view-store';
import type { ProjectorConfig } from './projector.config';

/** Runs the projections (catalog products) from JetStream into the view store; serves health. */
export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<RunningGrpcServer> {
  const views = createViewDatabase(config);
  const nats = new NatsClient(config, 'projector', logger);
  let products: JetStreamProjector<ProductViewDocument> | undefined;

  // The projection starts once NATS is reachable; health meanwhile says NATS is down.
  void nats.ready.then(async (nc) => {
    await ensureEventStream(await nc.jetstreamManager(), config).catch((err: unknown) => logger.warn({ err }, 'could not ensure the event stream yet'));
    products = new JetStreamProjector(nc, views.db, productsProjection, new ViewCatalog(views.db), logger.child({ projection: productsProjection.name }), {
      maxDeliveries: config.PROJECTOR_MAX_DELIVERIES,
      stream: config.NATS_STREAM,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      batchSize: config.PROJECTOR_BATCH_SIZE,
      retryDelayMs: config.PROJECTOR_RETRY_DELAY_MS,
      gapRepairAfterMs: config.PROJECTOR_GAP_REPAIR_AFTER_MS,
      ackWaitMs: config.PROJECTOR_ACK_WAIT_MS,
      viewCacheSize: config.PROJECTOR_VIEW_CACHE_SIZE,
    });
    products.start();
  });

  return startGrpcServer({
    config,
    logger,
    services: [],
    probes: [mongoProbe(views), natsProbe(nats)],
    onShutdown: [async () => products?.stop(), () => nats.close(), () => views.close()],
  });
}
