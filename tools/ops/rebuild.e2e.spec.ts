import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import { productsProjection } from '@cqrs/catalog-read-model';
import { bucketed } from '@cqrs/view-store-ferretdb';
import { eventually, isolatedEnvironment, startApp, unaryCall, type AppProcess, type IsolatedEnvironment } from '@cqrs/testing';
import { runOps } from './run-ops';

jest.setTimeout(300_000);

const PRODUCTS = 40;
const EVENTS_PER_PRODUCT = 125;

/**
 * The projector killed with SIGKILL in the middle of 5,000 events and restarted ends with views
 * equal, document for document, to what a fresh rebuild (the operator CLI) produces; and a rebuild
 * while commands keep coming loses none of them.
 */
describe('projector crash and rebuild', () => {
  let isolated: IsolatedEnvironment;
  let commandService: AppProcess;
  let client: catalogV1.CommandServiceClient;
  let mongo: MongoClient;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    commandService = await startApp('command-service', isolated.env);
    apps.push(commandService);
    client = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
    mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await mongo?.close();
    await isolated?.cleanup();
  });

  const views = () => mongo.db(isolated.env['MONGODB_DATABASE']);
  async function activeCollection(): Promise<string> {
    const entry = await views().collection<{ _id: string; collection: string }>('view_catalog').findOne({ _id: 'catalog-products' });
    return entry?.collection ?? 'products';
  }
  /** The views without their bucket ids, which say where a view is filed, not what it holds (a rebuild files afresh). */
  async function allViews() {
    const placement = Object.fromEntries((productsProjection.orders ?? []).map((order) => [bucketed(order).field, 0]));
    return views()
      .collection(await activeCollection())
      .find({}, { projection: placement })
      .sort({ _id: 1 })
      .toArray();
  }
  async function adjust(productId: string, delta = 1) {
    const { error } = await unaryCall(
      client.adjustProductStock.bind(client),
      catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta }),
    );
    if (error) throw error;
  }

  it('ends, after a SIGKILL mid-stream and a restart, with the views a fresh rebuild produces', async () => {
    const ids: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const { response } = await unaryCall(
        client.createProduct.bind(client),
        catalogV1.CreateProductRequest.fromPartial({
          sku: `K-${i}`,
          name: `Kill test ${i}`,
          price: { currencyCode: 'EUR', amountMinor: 100 + i },
        }),
      );
      ids.push(response?.ack?.aggregateId ?? '');
    }
    await Promise.all(
      ids.map(async (id) => {
        for (let v = 2; v <= EVENTS_PER_PRODUCT; v++) await adjust(id);
      }),
    );

    const projector = await startApp('projector', { ...isolated.env, PROJECTOR_BATCH_SIZE: '100' });
    apps.push(projector);
    await eventually(
      async () => {
        const applied = (await allViews()).reduce((sum, doc) => sum + Number(doc['version']), 0);
        expect(applied).toBeGreaterThan(500);
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await projector.stop('SIGKILL');
    const appliedAtKill = (await allViews()).reduce((sum, doc) => sum + Number(doc['version']), 0);
    expect(appliedAtKill).toBeLessThan(PRODUCTS * EVENTS_PER_PRODUCT);

    const restarted = await startApp('projector', isolated.env);
    apps.push(restarted);
    await eventually(
      async () => {
        const docs = await allViews();
        expect(docs).toHaveLength(PRODUCTS);
        expect(docs.every((d) => d['version'] === EVENTS_PER_PRODUCT && d['stock'] === EVENTS_PER_PRODUCT - 1)).toBe(true);
      },
      { timeoutMs: 120_000 },
    );
    const projected = await allViews();

    const rebuild = await runOps(isolated.env, ['rebuild', 'products', '--settle-ms', '200']);
    expect(rebuild.output).toMatch(new RegExp(`rebuilt catalog-products: ${PRODUCTS * EVENTS_PER_PRODUCT} events → ${PRODUCTS} views`));
    expect(rebuild.code).toBe(0);
    expect(await activeCollection()).not.toBe('products');
    expect(await allViews()).toEqual(projected);
  });

  it('loses none of the events that arrive while a rebuild runs', async () => {
    const { response } = await unaryCall(
      client.createProduct.bind(client),
      catalogV1.CreateProductRequest.fromPartial({
        sku: 'LIVE-1',
        name: 'Live during rebuild',
        price: { currencyCode: 'EUR', amountMinor: 1 },
      }),
    );
    const id = response?.ack?.aggregateId ?? '';
    let writing = true;
    let writes = 0;
    const live = (async () => {
      while (writing) {
        await adjust(id);
        writes++;
      }
    })();
    // No pause after the swap: the projector's own check, not timing, must keep every event.
    const rebuild = await runOps(isolated.env, ['rebuild', 'products', '--settle-ms', '0']);
    writing = false;
    await live;
    expect(rebuild.code).toBe(0);
    expect(writes).toBeGreaterThan(0);
    await eventually(
      async () => {
        const doc = await views()
          .collection(await activeCollection())
          .findOne({ _id: id } as never);
        expect(doc).toMatchObject({ version: writes + 1, stock: writes });
      },
      { timeoutMs: 60_000 },
    );
  });
});
