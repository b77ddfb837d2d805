import { status as Status, type ClientReadableStream } from '@grpc/grpc-js';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { errorInfoOf, fieldViolationsOf } from '@cqrs/grpc-kit';
import { eventually, isolatedEnvironment, startCatalogStack, unaryCall, type CatalogStack, type IsolatedEnvironment } from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';

jest.setTimeout(180_000);

let isolated: IsolatedEnvironment;
let stack: CatalogStack;
let flows: ReturnType<typeof orderFlows>;

beforeAll(async () => {
  isolated = isolatedEnvironment();
  stack = await startCatalogStack(isolated.env);
  flows = orderFlows(stack);
});

afterAll(async () => {
  await stack?.stop();
  await isolated?.cleanup();
});

const { OrderStatus, StockStatus } = ordersV1;
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
const step = (rpc: 'startPreparingOrder' | 'markOrderReady' | 'markOrderServed', orderId: string) =>
  unaryCall(stack.orderCommands[rpc].bind(stack.orderCommands) as never, { requestId: '', orderId } as never) as Promise<{
    response?: { ack?: { consistencyToken: string } };
    error?: import('@grpc/grpc-js').ServiceError;
  }>;
const cancel = (orderId: string, reason = 'changed mind') =>
  unaryCall(stack.orderCommands.cancelOrder.bind(stack.orderCommands), ordersV1.CancelOrderRequest.fromPartial({ orderId, reason }));
const stockOf = async (productId: string, token = '') => {
  const { response } = await flows.product(productId, token);
  return { stock: response?.product?.stock, reserved: response?.product?.reservedStock, available: response?.product?.availableStock };
};
const kitchenIds = async () =>
  (await unaryCall(stack.orderQueries.getKitchenQueue.bind(stack.orderQueries), { pageSize: 100, pageToken: '' })).response?.orders.map(
    (o) => o.orderId,
  ) ?? [];

describe('an order, choreographed between orders and the catalog', () => {
  it('is confirmed when every line has stock: the stock is reserved, the lines priced as they were', async () => {
    const [espresso, tart] = [await flows.createProduct('Espresso', 10, 250), await flows.createProduct('Tarte Tatin', 3, 650)];
    const ack = await flows.placed(
      [
        [espresso, 2],
        [tart, 1],
      ],
      { table: '12' },
    );
    const order = await flows.decided(ack.aggregateId, ack.consistencyToken);
    expect(order).toMatchObject({
      orderId: ack.aggregateId,
      status: OrderStatus.ORDER_STATUS_CONFIRMED,
      stock: StockStatus.STOCK_STATUS_RESERVED,
      reference: { table: '12' },
      total: eur(1150),
      lines: [
        { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250), lineTotal: eur(500) },
        { productId: tart, quantity: 1, name: 'Tarte Tatin', unitPrice: eur(650), lineTotal: eur(650) },
      ],
    });
    expect(order.timestamps?.placedAt).toBeInstanceOf(Date);
    expect(order.timestamps?.confirmedAt).toBeInstanceOf(Date);
    await eventually(async () => expect(await stockOf(espresso)).toEqual({ stock: 10, reserved: 2, available: 8 }));
    await eventually(async () => expect(await stockOf(tart)).toEqual({ stock: 3, reserved: 1, available: 2 }));
  });

  it('is rejected when one line lacks stock, and nothing is reserved for any line', async () => {
    const [espresso, tart] = [await flows.createProduct('Espresso', 10, 250), await flows.createProduct('Tarte Tatin', 1, 650)];
    const ack = await flows.placed([
      [espresso, 2],
      [tart, 2],
    ]);
    const order = await flows.decided(ack.aggregateId, ack.consistencyToken);
    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_REJECTED, stock: StockStatus.STOCK_STATUS_REJECTED });
    expect(order.reason).toContain(`product ${tart} has 1 available; the order asks for 2`);
    expect(order.timestamps?.rejectedAt).toBeInstanceOf(Date);
    // Read after a later write to each product, so a reservation (had there been one) is in the view.
    for (const productId of [espresso, tart]) {
      const { response } = await unaryCall(
        stack.commands.adjustProductStock.bind(stack.commands),
        catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1, reason: 'recount' }),
      );
      expect(await stockOf(productId, response?.ack?.consistencyToken)).toMatchObject({ reserved: 0 });
    }
  });

  it('rejects a line for a product that does not exist', async () => {
    const ack = await flows.placed([['00000000-0000-4000-8000-000000000000', 1]]);
    const order = await flows.decided(ack.aggregateId, ack.consistencyToken);
    expect(order.status).toBe(OrderStatus.ORDER_STATUS_REJECTED);
    expect(order.reason).toMatch(/not found/i);
  });

  it('releases the reserved stock when cancelled', async () => {
    const croissant = await flows.createProduct('Croissant', 5, 180);
    const ack = await flows.placed([[croissant, 4]], { customer: 'Ada' });
    await flows.decided(ack.aggregateId, ack.consistencyToken);
    await eventually(async () => expect(await stockOf(croissant)).toMatchObject({ reserved: 4 }));
    const { error } = await cancel(ack.aggregateId);
    expect(error).toBeUndefined();
    await eventually(async () => expect(await stockOf(croissant)).toEqual({ stock: 5, reserved: 0, available: 5 }));
    await eventually(async () => {
      const { response } = await unaryCall(
        stack.orderQueries.getOrder.bind(stack.orderQueries),
        ordersV1.GetOrderRequest.fromPartial({ orderId: ack.aggregateId }),
      );
      expect(response?.order).toMatchObject({
        status: OrderStatus.ORDER_STATUS_CANCELLED,
        stock: StockStatus.STOCK_STATUS_RELEASED,
        reason: 'changed mind',
      });
    });
  });

  it('goes through the kitchen: in the queue while confirmed and preparing, out of it once ready; serving consumes the stock', async () => {
    const soup = await flows.createProduct('Onion soup', 6, 900);
    const ack = await flows.placed([[soup, 2]]);
    await flows.decided(ack.aggregateId, ack.consistencyToken);
    await eventually(async () => expect(await kitchenIds()).toContain(ack.aggregateId));
    expect((await step('startPreparingOrder', ack.aggregateId)).error).toBeUndefined();
    await eventually(async () => expect(await kitchenIds()).toContain(ack.aggregateId));
    expect((await step('markOrderReady', ack.aggregateId)).error).toBeUndefined();
    await eventually(async () => expect(await kitchenIds()).not.toContain(ack.aggregateId));
    const served = await step('markOrderServed', ack.aggregateId);
    expect(served.error).toBeUndefined();
    const { response } = await unaryCall(
      stack.orderQueries.getOrder.bind(stack.orderQueries),
      ordersV1.GetOrderRequest.fromPartial({
        orderId: ack.aggregateId,
        consistency: { consistencyToken: served.response?.ack?.consistencyToken ?? '' },
      }),
    );
    expect(response?.order?.status).toBe(OrderStatus.ORDER_STATUS_SERVED);
    expect(response?.order?.timestamps?.servedAt).toBeInstanceOf(Date);
    await eventually(async () => expect(await stockOf(soup)).toEqual({ stock: 4, reserved: 0, available: 4 }));
    expect(await kitchenIds()).not.toContain(ack.aggregateId);
  });

  it('answers FAILED_PRECONDITION naming the current state for an illegal transition', async () => {
    const tea = await flows.createProduct('Tea', 5, 300);
    const ack = await flows.placed([[tea, 1]]);
    await flows.decided(ack.aggregateId, ack.consistencyToken);
    const ready = await step('markOrderReady', ack.aggregateId);
    expect(ready.error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(ready.error?.details).toContain('is confirmed');
    expect(errorInfoOf(ready.error?.metadata)?.metadata).toMatchObject({ status: 'CONFIRMED' });
    await step('startPreparingOrder', ack.aggregateId);
    const late = await cancel(ack.aggregateId);
    expect(late.error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(late.error?.details).toContain('is preparing');
  });

  it('answers INVALID_ARGUMENT with a violation for each bad field, and NOT_FOUND for an unknown order', async () => {
    const { error } = await flows.place([['not-a-uuid', 0]], { table: '12', customer: 'Ada' });
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual(['reference', 'lines[0].product_id', 'lines[0].quantity']);
    const empty = await flows.place([]);
    expect(fieldViolationsOf(empty.error?.metadata).map((v) => v.field)).toEqual(['lines']);
    const unknown = await step('startPreparingOrder', '00000000-0000-4000-8000-000000000001');
    expect(unknown.error?.code).toBe(Status.NOT_FOUND);
  });

  it('AdjustProductStock cannot take on-hand stock below what is reserved', async () => {
    const cake = await flows.createProduct('Cake', 4, 400);
    const ack = await flows.placed([[cake, 3]]);
    await flows.decided(ack.aggregateId, ack.consistencyToken);
    const { error } = await unaryCall(
      stack.commands.adjustProductStock.bind(stack.commands),
      catalogV1.AdjustProductStockRequest.fromPartial({ productId: cake, delta: -2, reason: 'dropped' }),
    );
    expect(error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorInfoOf(error?.metadata)?.reason).toBe('STOCK_RESERVED');
  });

  it('lists orders by status and by table, newest first, page by page', async () => {
    const water = await flows.createProduct('Water', 100, 100);
    const table = `T${Date.now() % 100_000}`;
    const acks: Array<{ aggregateId: string; consistencyToken: string }> = [];
    for (let i = 0; i < 5; i++) acks.push(await flows.placed([[water, 1]], { table }));
    for (const ack of acks) await flows.decided(ack.aggregateId, ack.consistencyToken);
    await cancel(acks[1]?.aggregateId ?? '');
    const list = async (request: Partial<ordersV1.ListOrdersRequest>) => {
      const ids: string[] = [];
      let pageToken = '';
      do {
        const { response, error } = await unaryCall(
          stack.orderQueries.listOrders.bind(stack.orderQueries),
          ordersV1.ListOrdersRequest.fromPartial({ pageSize: 2, ...request, pageToken }),
        );
        expect(error).toBeUndefined();
        ids.push(...(response?.orders.map((o) => o.orderId) ?? []));
        pageToken = response?.nextPageToken ?? '';
      } while (pageToken !== '');
      return ids;
    };
    const newestFirst = acks.map((a) => a.aggregateId).reverse();
    await eventually(async () => expect(await list({ reference: { table } })).toEqual(newestFirst));
    await eventually(async () =>
      expect(await list({ reference: { table }, status: OrderStatus.ORDER_STATUS_CANCELLED })).toEqual([acks[1]?.aggregateId]),
    );
    const confirmed = await list({ status: OrderStatus.ORDER_STATUS_CONFIRMED });
    expect(confirmed.filter((id) => newestFirst.includes(id))).toEqual(newestFirst.filter((id) => id !== acks[1]?.aggregateId));
    const bad = await unaryCall(
      stack.orderQueries.listOrders.bind(stack.orderQueries),
      ordersV1.ListOrdersRequest.fromPartial({ reference: { table: ' ' } }),
    );
    expect(bad.error?.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('WatchOrders sends the kitchen queue, then each order as it changes', async () => {
    const juice = await flows.createProduct('Juice', 10, 350);
    const queued = await flows.placed([[juice, 1]]);
    await flows.decided(queued.aggregateId, queued.consistencyToken);
    await eventually(async () => expect(await kitchenIds()).toContain(queued.aggregateId));
    const received: ordersV1.OrderView[] = [];
    const call: ClientReadableStream<ordersV1.WatchOrdersResponse> = stack.orderQueries.watchOrders({ includeKitchenQueue: true });
    call.on('data', (message: ordersV1.WatchOrdersResponse) => message.order !== undefined && received.push(message.order));
    call.on('error', () => undefined);
    try {
      await eventually(() => expect(received.map((o) => o.orderId)).toContain(queued.aggregateId));
      const fresh = await flows.placed([[juice, 2]]);
      await eventually(() =>
        expect(received.filter((o) => o.orderId === fresh.aggregateId).map((o) => o.status)).toEqual(
          expect.arrayContaining([OrderStatus.ORDER_STATUS_CONFIRMED]),
        ),
      );
      await step('startPreparingOrder', fresh.aggregateId);
      await eventually(() =>
        expect(received.filter((o) => o.orderId === fresh.aggregateId).map((o) => o.status)).toContain(OrderStatus.ORDER_STATUS_PREPARING),
      );
    } finally {
      call.cancel();
    }
  });
});
