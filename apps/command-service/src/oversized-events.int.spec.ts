import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { catalogV1, commonV1, ordersV1 } from '@cqrs/contracts';
import { IllegalStateError } from '@cqrs/errors';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { CommandExecutor, createMysql, ensureDatabase, EventStore, migrateToLatest, streamIdOf } from '@cqrs/write-store';
import { productAggregate } from './catalog/product.aggregate';
import { stockReservationReaction } from './catalog/stock-reservation.reaction';
import { orderAggregate } from './orders/order.aggregate';

jest.setTimeout(60_000);

/**
 * Events the code before the bounds stored with int64 values past 2^53, which ts-proto's decode
 * refuses: every command on their aggregates answered INTERNAL for good. They load again now.
 */
const isolated = isolatedEnvironment();
const config = { MYSQL_URL: LOCAL_URLS.MYSQL_URL, MYSQL_DATABASE: isolated.runId, MYSQL_POOL_MAX: 4 };
let db: Knex;
let store: EventStore;
let executor: CommandExecutor;

beforeAll(async () => {
  await ensureDatabase(config);
  db = createMysql(config);
  await migrateToLatest(db);
  store = new EventStore(db);
  executor = new CommandExecutor(store);
});

afterAll(async () => {
  await db.destroy();
  await isolated.cleanup();
});

const now = new Date();
/** The generated encoders hand an int64 to a writer that takes a bigint too: what the old code stored. */
const int64 = (value: bigint) => value as unknown as number;
const PAST_2_53 = 9_007_199_254_740_993n;

/** Stores an encoded event as it is, after the stream's current version. */
async function storeRaw(streamType: string, aggregateId: string, type: string, payload: Uint8Array): Promise<void> {
  const expectedVersion = await store.currentVersion(streamIdOf(streamType, aggregateId));
  await store.append({
    streamType,
    aggregateId,
    expectedVersion,
    events: [{ eventId: randomUUID(), type, schemaVersion: 1, payload: Buffer.from(payload) }],
    metadata: {},
    occurredAt: now,
  });
}

async function createProduct(stock: number): Promise<string> {
  const productId = randomUUID();
  const price = { currencyCode: 'EUR', amountMinor: 250 };
  await executor.execute(productAggregate, {
    aggregateId: productId,
    command: {
      type: 'CreateProduct',
      data: { productId, sku: `S-${productId.slice(0, 8)}`, name: 'Tea', description: '', price, initialStock: stock },
    },
    metadata: {},
    now,
  });
  return productId;
}

const adjust = (productId: string, delta: number) =>
  executor.execute(productAggregate, {
    aggregateId: productId,
    command: { type: 'AdjustProductStock', data: { productId, delta, reason: '' } },
    metadata: {},
    now,
  });

describe('events stored past 2^53 by older code', () => {
  it('a product with such stock and price loads again: its stock may go down, never up', async () => {
    const productId = await createProduct(10);
    await storeRaw(
      'catalog.product',
      productId,
      'catalog.v1.ProductStockAdjusted',
      catalogV1.ProductStockAdjusted.encode({ productId, delta: int64(PAST_2_53 - 10n), reason: '', stock: int64(PAST_2_53) }).finish(),
    );
    const huge = { currencyCode: 'EUR', amountMinor: int64(2n ** 62n) };
    await storeRaw(
      'catalog.product',
      productId,
      'catalog.v1.ProductPriceChanged',
      catalogV1.ProductPriceChanged.encode({ productId, previousPrice: { currencyCode: 'EUR', amountMinor: 250 }, price: huge }).finish(),
    );

    expect((await adjust(productId, -1)).version).toBe(4);
    await expect(adjust(productId, 1)).rejects.toThrow(expect.objectContaining({ reason: 'STOCK_LIMIT_EXCEEDED' }) as IllegalStateError);
    const events = await store.readStream(streamIdOf('catalog.product', productId));
    expect(events).toHaveLength(4);
    expect(catalogV1.ProductStockAdjusted.decode(events[3]?.payload ?? Buffer.alloc(0))).toMatchObject({
      delta: -1,
      stock: Number.MAX_SAFE_INTEGER - 1,
    });
  });

  it('an order confirmed with such a total loads again and moves on', async () => {
    const orderId = randomUUID();
    const productId = randomUUID();
    await executor.execute(orderAggregate, {
      aggregateId: orderId,
      command: { type: 'PlaceOrder', data: { orderId, reference: { table: '7' }, lines: [{ productId, quantity: 99 }], notes: '' } },
      metadata: {},
      now,
    });
    const line = { productId, quantity: 99, name: 'Gold leaf', unitPrice: { currencyCode: 'EUR', amountMinor: Number.MAX_SAFE_INTEGER } };
    await storeRaw(
      'orders.order',
      orderId,
      'orders.v1.OrderConfirmed',
      ordersV1.OrderConfirmed.encode({
        orderId,
        lines: [line],
        total: { currencyCode: 'EUR', amountMinor: int64(891712726219358080n) },
      }).finish(),
    );

    const ack = await executor.execute(orderAggregate, {
      aggregateId: orderId,
      command: { type: 'StartPreparing', data: { orderId } },
      metadata: {},
      now,
    });
    expect(ack.version).toBe(3);
  });

  it('a reservation priced with such amounts loads again: cancelling the order releases its stock', async () => {
    const productId = await createProduct(5);
    const orderId = randomUUID();
    await storeRaw(
      'catalog.product',
      productId,
      'catalog.v1.ProductStockReserved',
      catalogV1.ProductStockReserved.encode({ productId, orderId, quantity: 2, reserved: 2 }).finish(),
    );
    const line = { productId, quantity: 2, name: 'Tea', unitPrice: { currencyCode: 'EUR', amountMinor: int64(PAST_2_53) } };
    await storeRaw(
      'catalog.reservation',
      orderId,
      'catalog.v1.StockReserved',
      catalogV1.StockReserved.encode({ orderId, lines: [line] }).finish(),
    );

    const cancelled = commonV1.EventEnvelope.fromPartial({
      eventId: randomUUID(),
      streamType: 'orders.order',
      aggregateId: orderId,
      version: 3,
      eventType: 'orders.v1.OrderCancelled',
      payload: Buffer.from(ordersV1.OrderCancelled.encode({ orderId, reason: '' }).finish()),
    });
    await stockReservationReaction(executor)(cancelled);
    expect((await store.readStream(streamIdOf('catalog.reservation', orderId))).map((e) => e.type)).toEqual([
      'catalog.v1.StockReserved',
      'catalog.v1.StockReleased',
    ]);
    expect((await store.readStream(streamIdOf('catalog.product', productId))).map((e) => e.type).at(-1)).toBe(
      'catalog.v1.ProductStockReleased',
    );
  });
});
