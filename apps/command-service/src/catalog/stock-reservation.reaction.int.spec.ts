import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { commonV1, ordersV1 } from '@cqrs/contracts';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { CommandExecutor, createMysql, ensureDatabase, EventStore, migrateToLatest, streamIdOf } from '@cqrs/write-store';
import { productAggregate } from './product.aggregate';
import { stockReservationReaction } from './stock-reservation.reaction';

jest.setTimeout(60_000);

const isolated = isolatedEnvironment();
const config = { MYSQL_URL: LOCAL_URLS.MYSQL_URL, MYSQL_DATABASE: isolated.runId, MYSQL_POOL_MAX: 10 };
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

async function product(stock: number): Promise<string> {
  const productId = randomUUID();
  const price = { currencyCode: 'EUR', amountMinor: 100 };
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

function envelope(orderId: string, version: number, eventType: string, payload: Uint8Array): commonV1.EventEnvelope {
  return commonV1.EventEnvelope.fromPartial({
    eventId: randomUUID(),
    streamType: 'orders.order',
    aggregateId: orderId,
    version,
    eventType,
    payload: Buffer.from(payload),
  });
}

const placed = (orderId: string, productId: string, quantity: number) =>
  envelope(
    orderId,
    1,
    'orders.v1.OrderPlaced',
    ordersV1.OrderPlaced.encode({ orderId, reference: { table: '1' }, lines: [{ productId, quantity }], notes: '' }).finish(),
  );

const productEvents = async (productId: string) => (await store.readStream(streamIdOf('catalog.product', productId))).map((e) => e.type);

describe('the stock reservation reaction', () => {
  it('reserves once for an OrderPlaced delivered again, and at the same time', async () => {
    const productId = await product(10);
    const orderId = randomUUID();
    const react = stockReservationReaction(executor);
    const event = placed(orderId, productId, 3);
    await Promise.all([react(event), react(event), react(event)]);
    await react(event);
    expect(await productEvents(productId)).toEqual(['catalog.v1.ProductCreated', 'catalog.v1.ProductStockReserved']);
    expect((await store.readStream(streamIdOf('catalog.reservation', orderId))).map((e) => e.type)).toEqual(['catalog.v1.StockReserved']);
  });

  it('releases once for a cancellation delivered again; a cancellation before the reservation means none is made', async () => {
    const productId = await product(10);
    const [reservedFirst, cancelledFirst] = [randomUUID(), randomUUID()];
    const react = stockReservationReaction(executor);
    const cancelled = (orderId: string) =>
      envelope(orderId, 2, 'orders.v1.OrderCancelled', ordersV1.OrderCancelled.encode({ orderId, reason: '' }).finish());
    await react(placed(reservedFirst, productId, 2));
    await react(cancelled(reservedFirst));
    await react(cancelled(reservedFirst));
    await react(cancelled(cancelledFirst));
    await react(placed(cancelledFirst, productId, 4));
    expect(await productEvents(productId)).toEqual([
      'catalog.v1.ProductCreated',
      'catalog.v1.ProductStockReserved',
      'catalog.v1.ProductStockReleased',
    ]);
  });

  it('ignores order events it does not react to', async () => {
    const before = await store.countEvents('catalog.reservation');
    await stockReservationReaction(executor)(
      envelope(randomUUID(), 3, 'orders.v1.OrderPreparationStarted', ordersV1.OrderPreparationStarted.encode({ orderId: '' }).finish()),
    );
    expect(await store.countEvents('catalog.reservation')).toBe(before);
  });
});
