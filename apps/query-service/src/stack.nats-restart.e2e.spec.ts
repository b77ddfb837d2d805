import { catalogV1, ordersV1 } from '@cqrs/contracts';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  nonJsonLines,
  startCatalogStack,
  startCommandFlow,
  startPrivateNats,
  unaryCall,
  type CatalogStack,
  type IsolatedEnvironment,
  type PrivateNats,
} from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';

jest.setTimeout(180_000);

/** Guarantee 11: the broker (a nats-server this test owns) stops and comes back under the running stack while commands flow. */
describe('the stack across a NATS restart', () => {
  let isolated: IsolatedEnvironment;
  let nats: PrivateNats;
  let stack: CatalogStack;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    nats = await startPrivateNats();
    stack = await startCatalogStack({ ...isolated.env, NATS_URL: nats.url, RELAY_SWEEP_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    await stack?.stop();
    await nats?.dispose();
    await isolated?.cleanup();
  });

  const apps = () => [stack.commandService, stack.projector, stack.queryService];

  it('resumes relay, projector, reactions, read-your-writes and watches, and health says so', async () => {
    const orders = orderFlows(stack);
    const productId = await orders.createProduct('Clafoutis', 5);
    await eventually(async () => expect((await orders.product(productId)).response?.product?.version).toBe(1));
    const watched: number[] = [];
    const watch = stack.queries.watchProduct(catalogV1.WatchProductRequest.fromPartial({ productId }));
    watch.on('data', (message: catalogV1.WatchProductResponse) => watched.push(message.product?.version ?? 0));
    watch.on('error', () => undefined);
    await eventually(() => expect(watched).toEqual([1]));
    const flow = await startCommandFlow(stack.commands, { pauseMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    await nats.stop();
    for (const app of apps()) await eventually(async () => expect(await checkHealth(app.port, 'nats')).toBe('NOT_SERVING'));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await nats.start();
    const restarted = Date.now();

    for (const app of apps()) await eventually(async () => expect(await checkHealth(app.port, '')).toBe('SERVING'), { timeoutMs: 30_000 });
    const serving = Date.now() - restarted;
    await flow.stop();
    expect(flow.errors.map((error) => error.details)).toEqual([]);

    // The backlog the outbox kept goes out at once, and the projector applies it.
    await eventually(
      async () => {
        for (const [productId, version] of flow.acked)
          expect({ productId, version: (await orders.product(productId)).response?.product?.version }).toEqual({ productId, version });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const caughtUp = Date.now() - restarted;
    expect(caughtUp).toBeLessThan(4_000);

    // Read-your-writes is woken by the projector's notification, well before its longest wait, and
    // the watch opened before the outage sees the change.
    const adjusted = await unaryCall(
      stack.commands.adjustProductStock.bind(stack.commands),
      catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1, reason: 'after' }),
    );
    const asked = Date.now();
    const read = await orders.product(productId, adjusted.response?.ack?.consistencyToken);
    expect(read.response?.product?.version).toBe(2);
    expect(Date.now() - asked).toBeLessThan(3_000);
    await eventually(() => expect(watched).toEqual([1, 2]));
    watch.cancel();

    // The reactions consume again: an order placed now is confirmed.
    const placed = await orders.placed([[productId, 2]]);
    expect((await orders.decided(placed.aggregateId, placed.consistencyToken)).status).toBe(ordersV1.OrderStatus.ORDER_STATUS_CONFIRMED);
    process.stdout.write(
      `nats restart: all apps SERVING after ${serving} ms, views caught up after ${caughtUp} ms (${flow.succeeded()} commands)\n`,
    );

    for (const app of apps()) expect(nonJsonLines(app)).toEqual([]);
  });
});
