import { randomUUID } from 'node:crypto';
import { credentials, status as Status } from '@grpc/grpc-js';
import type { Knex } from 'knex';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { AMOUNT_MINOR_MAX, UNITS_MAX } from '@cqrs/errors';
import { errorInfoOf, fieldViolationsOf } from '@cqrs/grpc-kit';
import { eventually, isolatedEnvironment, startApp, unaryCall, type AppProcess, type IsolatedEnvironment } from '@cqrs/testing';
import { createMysql, EventStore, streamIdOf } from '@cqrs/write-store';

jest.setTimeout(90_000);

let isolated: IsolatedEnvironment;
let app: AppProcess;
let catalog: catalogV1.CommandServiceClient;
let orders: ordersV1.CommandServiceClient;
let mysql: Knex;
let store: EventStore;

beforeAll(async () => {
  isolated = isolatedEnvironment();
  app = await startApp('command-service', isolated.env);
  catalog = new catalogV1.CommandServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure());
  orders = new ordersV1.CommandServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure());
  mysql = createMysql({
    MYSQL_URL: isolated.env['MYSQL_URL'] ?? '',
    MYSQL_DATABASE: isolated.env['MYSQL_DATABASE'] ?? '',
    MYSQL_POOL_MAX: 2,
  });
  store = new EventStore(mysql);
});

afterAll(async () => {
  catalog?.close();
  orders?.close();
  await mysql?.destroy();
  await app?.stop();
  await isolated?.cleanup();
});

const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
async function createProduct(amountMinor: number, initialStock: number): Promise<string> {
  const request = catalogV1.CreateProductRequest.fromPartial({
    sku: `B-${randomUUID().slice(0, 8)}`,
    name: 'Saffron',
    price: eur(amountMinor),
    initialStock,
  });
  const { response, error } = await unaryCall(catalog.createProduct.bind(catalog), request);
  expect(error).toBeUndefined();
  return response?.ack?.aggregateId ?? '';
}
const adjust = (productId: string, delta: number) =>
  unaryCall(catalog.adjustProductStock.bind(catalog), catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta }));
const eventTypes = async (streamType: string, id: string) => (await store.readStream(streamIdOf(streamType, id))).map((e) => e.type);

describe('bounds: 10^15 minor units of money, 10^12 units of stock', () => {
  it('refuses a delta of 2^53 - 1 as INVALID_ARGUMENT, and a price past 10^15', async () => {
    const productId = await createProduct(250, 10);
    const { error } = await adjust(productId, Number.MAX_SAFE_INTEGER);
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual(['delta']);
    const price = await unaryCall(
      catalog.changeProductPrice.bind(catalog),
      catalogV1.ChangeProductPriceRequest.fromPartial({ productId, price: eur(AMOUNT_MINOR_MAX + 1) }),
    );
    expect(fieldViolationsOf(price.error?.metadata).map((v) => v.field)).toEqual(['price.amount_minor']);
    expect(await eventTypes('catalog.product', productId)).toEqual(['catalog.v1.ProductCreated']);
  });

  it('refuses an increase that would take stock past 10^12 and leaves the stock as it was', async () => {
    const productId = await createProduct(250, UNITS_MAX - 1);
    const { error } = await adjust(productId, 2);
    expect(error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorInfoOf(error?.metadata)?.reason).toBe('STOCK_LIMIT_EXCEEDED');
    expect((await adjust(productId, 1)).response?.ack?.version).toBe(2);
    const stored = await store.readStream(streamIdOf('catalog.product', productId));
    expect(stored).toHaveLength(2);
    expect(catalogV1.ProductStockAdjusted.decode(stored[1]?.payload ?? Buffer.alloc(0)).stock).toBe(UNITS_MAX);
  });

  it('rejects an order whose total would pass 10^15 minor units: no stock reserved, no total stored', async () => {
    const productId = await createProduct(AMOUNT_MINOR_MAX, 10);
    const request = ordersV1.PlaceOrderRequest.fromPartial({ reference: { table: '3' }, lines: [{ productId, quantity: 2 }] });
    const { response, error } = await unaryCall(orders.placeOrder.bind(orders), request);
    expect(error).toBeUndefined();
    const orderId = response?.ack?.aggregateId ?? '';
    await eventually(async () =>
      expect(await eventTypes('orders.order', orderId)).toEqual(['orders.v1.OrderPlaced', 'orders.v1.OrderRejected']),
    );
    expect(await eventTypes('catalog.reservation', orderId)).toEqual(['catalog.v1.StockReservationRejected']);
    expect(await eventTypes('catalog.product', productId)).toEqual(['catalog.v1.ProductCreated']);
    const [, rejected] = await store.readStream(streamIdOf('orders.order', orderId));
    expect(ordersV1.OrderRejected.decode(rejected?.payload ?? Buffer.alloc(0)).reason).toBe(
      `the order's total would pass ${AMOUNT_MINOR_MAX} minor units`,
    );
  });
});
