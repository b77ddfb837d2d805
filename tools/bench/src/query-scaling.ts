import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import { productsProjection } from '@cqrs/catalog-read-model';
import { ProjectionApplier } from '@cqrs/projections';
import { mongoViewStore } from '@cqrs/view-store';
import { selectViewStore, type ViewStoreEngineChoice } from '@cqrs/view-store-ferretdb';
import { startApp, unaryCall } from '@cqrs/testing';
import { productCreatedEvent } from '@cqrs/catalog-read-model/testing';
import { round, type Figure } from './figures';
import { ghz } from './ghz';

const BATCH = 500;

/**
 * List and Search on a small and a large catalog in the same run, to show whether a page grows
 * with the catalog. The views are written by the projection runtime itself (the applier the
 * projector uses, through the engine under test), straight from ProductCreated events, which
 * takes minutes rather than the hours 100,000 commands through the whole path would; the queries
 * go through a query service and gRPC as usual. Each size's figures and the ratio of their p99.
 */
export async function queryScaling(
  env: Readonly<Record<string, string>>,
  sizes: readonly [number, number],
  concurrency: number,
  durationS: number,
  log: (message: string) => void,
): Promise<Figure[]> {
  const database = `${env['MONGODB_DATABASE']}_scale`;
  const client = new MongoClient(env['MONGODB_URL'] ?? '');
  const queryService = await startApp('query-service', { ...env, MONGODB_DATABASE: database });
  const queries = new catalogV1.QueryServiceClient(`127.0.0.1:${queryService.port}`, credentials.createInsecure());
  try {
    const db = client.db(database);
    const engine = (env['VIEW_STORE_ENGINE'] ?? 'auto') as ViewStoreEngineChoice;
    const applier = new ProjectionApplier(db, selectViewStore(db, { engine, mongodb: mongoViewStore }), productsProjection);
    await applier.ensureIndexes();
    const figures: Figure[][] = [];
    let seeded = 0;
    for (const size of sizes) {
      const started = Date.now();
      for (; seeded < size; seeded += BATCH) {
        await applier.applyBatch(Array.from({ length: Math.min(BATCH, size - seeded) }, (_, k) => productCreatedEvent(seeded + k)));
        if ((seeded / BATCH) % 20 === 0)
          log(`query scaling: ${seeded.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} views written`);
      }
      seeded = size;
      log(`query scaling: ${size.toLocaleString('en-US')} views (${round((Date.now() - started) / 1000, 1)} s to write)`);
      figures.push(await queriesAt(queries, `127.0.0.1:${queryService.port}`, size.toLocaleString('en-US'), concurrency, durationS));
    }
    const [small = [], large = []] = figures;
    const ratios = large.map((figure, i): Figure => {
      const base = small[i];
      const ratio = base?.p99Ms && figure.p99Ms ? round(figure.p99Ms / base.p99Ms, 2) : undefined;
      return {
        ...figure,
        ...(ratio === undefined ? {} : { ratio, ceiling: `p99 of the same query on ${sizes[0].toLocaleString('en-US')} products` }),
        target: 'p99 ≤ 1.5 × that on the small catalog',
      };
    });
    return [...small, ...ratios];
  } finally {
    queries.close();
    await queryService.stop('SIGKILL');
    await client
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  }
}

export async function queriesAt(
  queries: catalogV1.QueryServiceClient,
  address: string,
  size: string,
  concurrency: number,
  durationS: number,
): Promise<Figure[]> {
  const page2 = await unaryCall(queries.listProducts.bind(queries), catalogV1.ListProductsRequest.fromPartial({ pageSize: 20 }));
  const page3 = await unaryCall(
    queries.listProducts.bind(queries),
    catalogV1.ListProductsRequest.fromPartial({ pageSize: 20, pageToken: page2.response?.nextPageToken ?? '' }),
  );
  const run = (name: string, call: string, data: unknown) =>
    ghz('query scaling', `${name}, ${size} products (c=${concurrency})`, {
      call: `catalog.v1.QueryService/${call}`,
      address,
      concurrency,
      total: 0,
      durationS,
      data,
    });
  return [
    await run('ListProducts first page', 'ListProducts', { page_size: 20 }),
    await run('ListProducts third page', 'ListProducts', { page_size: 20, page_token: page3.response?.nextPageToken ?? '' }),
    await run('ListProducts by price, descending', 'ListProducts', { page_size: 20, order_by: 'PRODUCT_ORDER_BY_PRICE', descending: true }),
    await run('SearchProducts "esp" (a common prefix)', 'SearchProducts', { query: 'esp' }),
    await run('SearchProducts "tat mad" (two words)', 'SearchProducts', { query: 'tat mad' }),
    await run('SearchProducts "financier 4242" (rare)', 'SearchProducts', { query: 'financier 4242' }),
  ];
}
