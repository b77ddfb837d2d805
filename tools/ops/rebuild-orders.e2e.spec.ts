import { MongoClient } from 'mongodb';
import { ordersV1 } from '@cqrs/contracts';
import { ordersProjection } from '@cqrs/orders-read-model';
import { bucketed } from '@cqrs/view-store-ferretdb';
import { eventually, isolatedEnvironment, startCatalogStack, unaryCall, type CatalogStack, type IsolatedEnvironment } from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';
import { runOps } from './run-ops';

jest.setTimeout(300_000);

/**
 * The order views are fed by two streams with a version per source: rebuilt from the event store
 * (both streams, in position order) they equal the live views, document for document.
 */
describe('rebuilding the order views', () => {
  let isolated: IsolatedEnvironment;
  let stack: CatalogStack;
  let mongo: MongoClient;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    stack = await startCatalogStack(isolated.env);
    mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
  });

  afterAll(async () => {
    await stack?.stop();
    await mongo?.close();
    await isolated?.cleanup();
  });

  const db = () => mongo.db(isolated.env['MONGODB_DATABASE']);
  async function activeCollection(): Promise<string> {
    const entry = await db().collection<{ _id: string; collection: string }>('view_catalog').findOne({ _id: ordersProjection.name });
    return entry?.collection ?? ordersProjection.collection;
  }
  /** What each view holds, without where it is filed (bucket ids) and how often it was written (revision). */
  async function allViews() {
    const placement = Object.fromEntries([...(ordersProjection.orders ?? []).map((order) => [bucketed(order).field, 0]), ['revision', 0]]);
    return db()
      .collection(await activeCollection())
      .find({}, { projection: placement })
      .sort({ _id: 1 })
      .toArray();
  }

  it('equal the live views after orders confirmed, rejected, cancelled and served', async () => {
    const flows = orderFlows(stack);
    const [tea, cake] = [await flows.createProduct('Tea', 100, 300), await flows.createProduct('Cake', 3, 450)];
    const acks = [];
    for (let i = 0; i < 12; i++)
      acks.push(
        await flows.placed(
          i % 3 === 0
            ? [
                [tea, 1],
                [cake, 1],
              ]
            : [[tea, 2]],
          i % 2 === 0 ? { table: `${i}` } : { customer: `guest ${i}` },
        ),
      );
    const views = await Promise.all(acks.map((ack) => flows.decided(ack.aggregateId, ack.consistencyToken)));
    const confirmed = views.filter((v) => v.status === ordersV1.OrderStatus.ORDER_STATUS_CONFIRMED).map((v) => v.orderId);
    expect(views.some((v) => v.status === ordersV1.OrderStatus.ORDER_STATUS_REJECTED)).toBe(true);
    const call = <Req>(method: (r: Req, ...rest: never[]) => unknown, request: Req) =>
      unaryCall(method.bind(stack.orderCommands) as never, request as never);
    await call(stack.orderCommands.cancelOrder, ordersV1.CancelOrderRequest.fromPartial({ orderId: confirmed[0], reason: 'left' }));
    const served = confirmed[1] ?? '';
    for (const method of [stack.orderCommands.startPreparingOrder, stack.orderCommands.markOrderReady, stack.orderCommands.markOrderServed])
      await call(method, { requestId: '', orderId: served });
    // Settled: the cancellation released and the serving consumed the stock.
    await eventually(async () => {
      const stock = (await allViews()).filter((v) => [confirmed[0], served].includes(String(v['_id']))).map((v) => v['stock']);
      expect(stock.sort()).toEqual(['CONSUMED', 'RELEASED']);
    });
    const live = await allViews();

    const rebuild = await runOps(isolated.env, ['rebuild', 'orders', '--settle-ms', '0']);
    expect(rebuild.code).toBe(0);
    expect(rebuild.output).toMatch(/rebuilt orders-orders: \d+ events → 12 views/);
    expect(await activeCollection()).not.toBe(ordersProjection.collection);
    expect(await allViews()).toEqual(live);
  });
});
