import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { NatsClient, natsProbe } from '@cqrs/messaging';
import { ViewCatalog } from '@cqrs/projections';
import { createViewDatabase, mongoProbe, mongoViewStore } from '@cqrs/view-store';
import { selectViewStore } from '@cqrs/view-store-ferretdb';
import { catalogQueryHandlers } from './catalog/catalog-query.handlers';
import { ProductQueries } from './catalog/product-queries';
import { ViewChanges } from './consistency/view-changes';
import { WatchStreams, type WatchStreamStats } from './consistency/watch-streams';
import { OrderQueries } from './orders/order-queries';
import { ordersQueryHandlers } from './orders/orders-query.handlers';
import type { QueryServiceConfig } from './query-service.config';

export interface RunningQueryService extends RunningGrpcServer {
  /** What watch streams and read-your-writes waits hold now: open streams, their reads, and view-change subscriptions. */
  watchStats(): WatchStreamStats & { readonly listeners: number };
}

/** Wires the read side: view store reads, view-change notifications, catalog.v1 and orders.v1 QueryService. */
export async function startQueryService(config: QueryServiceConfig, logger: Logger): Promise<RunningQueryService> {
  const views = createViewDatabase(config);
  const store = selectViewStore(views.db, {
    engine: config.VIEW_STORE_ENGINE,
    mongodb: mongoViewStore,
    ferretdb: { searchScanFromPostings: config.QUERY_SEARCH_SCAN_FROM_POSTINGS },
  });
  const nats = new NatsClient(config, 'query-service', logger);
  const changes = new ViewChanges(config.NATS_SUBJECT_PREFIX, logger);
  void nats.ready.then((nc) => changes.attach(nc));
  const watches = new WatchStreams({ maxStreams: config.QUERY_MAX_WATCH_STREAMS, readConcurrency: config.QUERY_WATCH_READ_CONCURRENCY });

  const server = await startGrpcServer({
    config,
    logger,
    services: [
      {
        definition: catalogV1.QueryServiceService,
        implementation: catalogQueryHandlers(new ProductQueries(store, new ViewCatalog(views.db)), changes, watches, logger, {
          maxWaitMs: config.QUERY_MAX_WAIT_MS,
        }),
      },
      {
        definition: ordersV1.QueryServiceService,
        implementation: ordersQueryHandlers(new OrderQueries(store, new ViewCatalog(views.db)), changes, watches, logger, {
          maxWaitMs: config.QUERY_MAX_WAIT_MS,
        }),
      },
    ],
    probes: [mongoProbe(views, { logger }), natsProbe(nats)],
    beforeDrain: () => changes.close(),
    onShutdown: [() => nats.close(), () => views.close()],
  });
  return {
    port: server.port,
    health: server.health,
    shutdown: () => server.shutdown(),
    watchStats: () => ({ ...watches.stats, listeners: changes.subscriptionCount }),
  };
}
