import { credentials, status as Status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { productsProjection } from '@cqrs/catalog-read-model';
import { loadConfig } from '@cqrs/config';
import { catalogV1, ordersV1, viewChangedSubject } from '@cqrs/contracts';
import { createLogger } from '@cqrs/logging';
import { ProjectionApplier } from '@cqrs/projections';
import { mongoViewStore } from '@cqrs/view-store';
import { selectViewStore } from '@cqrs/view-store-ferretdb';
import { eventually, isolatedEnvironment, unaryCall } from '@cqrs/testing';
import { productCreatedEvent } from '@cqrs/catalog-read-model/testing';
import { startQueryService, type RunningQueryService } from './query-service.app';
import { queryServiceEnv } from './query-service.config';

jest.setTimeout(120_000);

const MAX_STREAMS = 300;
const PRODUCTS = 10;

/**
 * Watch streams opened by the hundred and abandoned (cancelled, or their channel dropped) hold
 * nothing afterwards, never starve the unary reads of view-store connections, and are refused
 * with RESOURCE_EXHAUSTED beyond the per-process cap.
 */
describe('watch streams', () => {
  const isolated = isolatedEnvironment();
  let mongo: MongoClient;
  let nc: NatsConnection;
  let service: RunningQueryService;
  const productIds: string[] = [];
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
    const db = mongo.db(isolated.env['MONGODB_DATABASE']);
    const applier = new ProjectionApplier(db, selectViewStore(db, { mongodb: mongoViewStore }), productsProjection);
    await applier.ensureIndexes();
    const events = Array.from({ length: PRODUCTS }, (_, i) => productCreatedEvent(i));
    await applier.applyBatch(events);
    productIds.push(...events.map((e) => e.envelope.aggregateId));
    nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    const config = loadConfig(queryServiceEnv, {
      ...isolated.env,
      GRPC_PORT: '0',
      QUERY_MAX_WATCH_STREAMS: String(MAX_STREAMS),
      HEALTH_CHECK_INTERVAL_MS: '1000',
    });
    service = await startQueryService(config, createLogger('query-service', 'silent'));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.shutdown();
    await nc?.close();
    await mongo?.close();
    await isolated.cleanup();
  });

  function catalogClient(): catalogV1.QueryServiceClient {
    // A connection of its own (grpc-js shares one between clients by default), so dropping it drops only its streams.
    const client = new catalogV1.QueryServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    clients.push(client);
    return client;
  }

  /** Opens a WatchProduct stream and resolves once its first message (the current view) arrived. */
  function watchProduct(
    client: catalogV1.QueryServiceClient,
    productId: string,
  ): Promise<ClientReadableStream<catalogV1.WatchProductResponse>> {
    const call = client.watchProduct(catalogV1.WatchProductRequest.fromPartial({ productId }));
    call.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      call.once('data', () => resolve(call));
      call.once('error', reject);
    });
  }

  async function timedGetProduct(client: catalogV1.QueryServiceClient): Promise<number> {
    const started = Date.now();
    const { response, error } = await unaryCall(
      client.getProduct.bind(client),
      catalogV1.GetProductRequest.fromPartial({ productId: productIds[0] }),
      {},
      { deadline: Date.now() + 5_000 },
    );
    if (error) throw error;
    expect(response?.product?.productId).toBe(productIds[0]);
    return Date.now() - started;
  }

  it('answers GetProduct promptly with hundreds of streams open, refuses one beyond the cap, and holds nothing once they are abandoned', async () => {
    const cancelled = catalogClient();
    const dropped = catalogClient();
    const orders = new ordersV1.QueryServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    clients.push(orders);
    const unaryClient = catalogClient();

    const productId = (i: number) => productIds[i % PRODUCTS] ?? '';
    const toCancel = await Promise.all(Array.from({ length: 150 }, (_, i) => watchProduct(cancelled, productId(i))));
    const toDrop = await Promise.all(Array.from({ length: 100 }, (_, i) => watchProduct(dropped, productId(i))));
    const orderWatches = Array.from({ length: MAX_STREAMS - 250 }, () => {
      const call = orders.watchOrders(ordersV1.WatchOrdersRequest.fromPartial({ includeKitchenQueue: true }));
      call.on('error', () => undefined);
      return call;
    });
    await eventually(() => expect(service.watchStats().streams).toBe(MAX_STREAMS));

    const refused = await new Promise<ServiceError>((resolve) => {
      const call = catalogClient().watchProduct(catalogV1.WatchProductRequest.fromPartial({ productId: productId(0) }));
      call.on('data', () => undefined);
      call.on('error', resolve);
    });
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);

    // Every watched product changes at once: each stream reads its view again, and GetProduct must not queue behind them all.
    for (const id of productIds)
      nc.publish(viewChangedSubject(isolated.env['NATS_SUBJECT_PREFIX'] ?? '', 'catalog.product', id), JSON.stringify({ version: 2 }));
    await nc.flush();
    expect(await timedGetProduct(unaryClient)).toBeLessThan(1_000);
    // A notice ahead of what the view store shows is read once per stream, not again and again.
    await eventually(() =>
      expect(service.watchStats()).toEqual({ streams: MAX_STREAMS, reading: 0, waitingToRead: 0, listeners: MAX_STREAMS }),
    );

    // Closing a grpc-js channel leaves its calls running; a client that goes away cancels them (or its connection drops).
    dropped.close();
    for (const call of [...toCancel, ...toDrop, ...orderWatches]) call.cancel();
    await eventually(() => expect(service.watchStats()).toEqual({ streams: 0, reading: 0, waitingToRead: 0, listeners: 0 }), {
      timeoutMs: 10_000,
    });
    expect(await timedGetProduct(unaryClient)).toBeLessThan(1_000);
    // With the streams gone, a new one is served again.
    const again = await watchProduct(catalogClient(), productId(1));
    again.cancel();
  });
});
