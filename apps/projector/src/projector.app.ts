import { productsProjection } from '@cqrs/catalog-read-model';
import { ordersProjection } from '@cqrs/orders-read-model';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { createDurableConsumer, NatsClient, natsProbe } from '@cqrs/messaging';
import type { commonV1 } from '@cqrs/contracts';
import type { Projection, ViewDocument } from '@cqrs/projection';
import { JetStreamProjector, ViewCatalog } from '@cqrs/projections';
import { createViewDatabase, mongoProbe, mongoViewStore } from '@cqrs/view-store';
import { selectViewStore } from '@cqrs/view-store-ferretdb';
import type { ProjectorConfig } from './projector.config';

/** Runs the projections (catalog products, orders) from JetStream into the view store; serves health. */
export async function startProjector(config: ProjectorConfig, logger: Logger): Promise<RunningGrpcServer> {
  const views = createViewDatabase(config);
  const store = selectViewStore(views.db, { engine: config.VIEW_STORE_ENGINE, mongodb: mongoViewStore });
  const nats = new NatsClient(config, 'projector', logger);
  const running: Array<{ stop(): Promise<void> }> = [];

  // The projection starts once NATS is reachable; health meanwhile says NATS is down.
  void nats.ready.then((nc) => {
    const catalog = new ViewCatalog(views.db);
    const project = <View extends ViewDocument>(projection: Projection<View, commonV1.EventEnvelope>) => {
      // One consumer per source stream type, each reading that type's own stream.
      for (const source of [projection.streamType, ...(projection.sources ?? [])]) {
        const log = logger.child({ projection: projection.name, source });
        const projector = new JetStreamProjector(nc, views.db, store, projection, catalog, log, {
          source,
          maxDeliveries: config.PROJECTOR_MAX_DELIVERIES,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          batchSize: config.PROJECTOR_BATCH_SIZE,
          retryDelayMs: config.PROJECTOR_RETRY_DELAY_MS,
          gapRepairAfterMs: config.PROJECTOR_GAP_REPAIR_AFTER_MS,
          ackWaitMs: config.PROJECTOR_ACK_WAIT_MS,
          viewCacheSize: config.PROJECTOR_VIEW_CACHE_SIZE,
        });
        const consumer = createDurableConsumer(nc, { streams: config, ...projector.consumer }, projector.handle, log);
        consumer.start();
        running.push(consumer);
      }
    };
    project(productsProjection);
    project(ordersProjection);
  });

  return startGrpcServer({
    config,
    logger,
    services: [],
    probes: [mongoProbe(views, { logger }), natsProbe(nats)],
    onShutdown: [async () => void (await Promise.all(running.map((consumer) => consumer.stop()))), () => nats.close(), () => views.close()],
  });
}
