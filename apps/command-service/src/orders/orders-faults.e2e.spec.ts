import type { Knex } from 'knex';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import {
  eventually,
  isolatedEnvironment,
  startApp,
  startCatalogStack,
  type AppProcess,
  type CatalogStack,
  type IsolatedEnvironment,
} from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';
import { createMysql } from '@cqrs/write-store';

jest.setTimeout(300_000);

/**
 * Orders under contention and through a crash. The stack's command service only serves commands
 * (REACTIONS=off); a second command-service process runs the reactions, so that process alone
 * can be killed and restarted while orders keep flowing.
 */
let isolated: IsolatedEnvironment;
let stack: CatalogStack;
let flows: ReturnType<typeof orderFlows>;
let mysql: Knex;
let reactor: AppProcess | undefined;
const reactorEnv = () => ({ ...isolated.env, REACTIONS: 'on', REACTION_ACK_WAIT_MS: '2000', REACTION_CONCURRENCY: '4' });

beforeAll(async () => {
  isolated = isolatedEnvironment();
  stack = await startCatalogStack({ ...isolated.env, REACTIONS: 'off' });
  flows = orderFlows(stack);
  mysql = createMysql({
    MYSQL_URL: isolated.env['MYSQL_URL'] ?? '',
    MYSQL_DATABASE: isolated.env['MYSQL_DATABASE'] ?? '',
    MYSQL_POOL_MAX: 4,
  });
});

afterAll(async () => {
  await reactor?.stop('SIGKILL');
  await mysql?.destroy();
  await stack?.stop();
  await isolated?.cleanup();
});

const { OrderStatus } = ordersV1;
const DECIDED = [OrderStatus.ORDER_STATUS_CONFIRMED, OrderStatus.ORDER_STATUS_REJECTED];

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

interface StoredEvent {
  stream_id: string;
  version: number;
  event_type: string;
  payload: Buffer;
}

const eventsOf = (streamType: string): Promise<StoredEvent[]> =>
  mysql('events').select('stream_id', 'version', 'event_type', 'payload').where('stream_type', streamType).orderBy('position');

/** What the event store says: each product's reservations by order, and each order's last event. */
async function eventStoreFacts() {
  const reservedByOrder = new Map<string, Map<string, number>>(); // product → order → times reserved
  const reserved = new Map<string, number>();
  for (const event of await eventsOf('catalog.product')) {
    if (event.event_type !== 'catalog.v1.ProductStockReserved') continue;
    const e = catalogV1.ProductStockReserved.decode(event.payload);
    const orders = reservedByOrder.get(e.productId) ?? new Map<string, number>();
    orders.set(e.orderId, (orders.get(e.orderId) ?? 0) + 1);
    reservedByOrder.set(e.productId, orders);
    reserved.set(e.productId, e.reserved);
  }
  const lastOrderEvent = new Map<string, string>();
  for (const event of await eventsOf('orders.order')) lastOrderEvent.set(event.stream_id.slice('orders.order-'.length), event.event_type);
  return { reservedByOrder, reserved, lastOrderEvent };
}

const STATUS_OF_EVENT: Record<string, ordersV1.OrderStatus> = {
  'orders.v1.OrderPlaced': OrderStatus.ORDER_STATUS_PLACED,
  'orders.v1.OrderConfirmed': OrderStatus.ORDER_STATUS_CONFIRMED,
  'orders.v1.OrderRejected': OrderStatus.ORDER_STATUS_REJECTED,
};

async function expectViewsToAgree(orders: ReadonlyArray<{ orderId: string; view: ordersV1.OrderView }>): Promise<void> {
  const { lastOrderEvent } = await eventStoreFacts();
  for (const { orderId, view } of orders)
    expect([orderId, view.status]).toEqual([orderId, STATUS_OF_EVENT[lastOrderEvent.get(orderId) ?? '']]);
}

describe('orders under contention and through a crash', () => {
  it('200 concurrent orders for 50 units of one product: exactly 50 reserved, no oversell, every order decided', async () => {
    reactor = await startApp('command-service', reactorEnv());
    const product = await flows.createProduct('Last croissants', 50, 180);
    const acks = await Promise.all(Array.from({ length: 200 }, () => flows.placed([[product, 1]])));
    const views = await inBatches(acks, 50, async (ack) => ({
      orderId: ack.aggregateId,
      view: await flows.decided(ack.aggregateId, ack.consistencyToken, 120_000),
    }));

    expect(views.every(({ view }) => DECIDED.includes(view.status))).toBe(true);
    expect(views.filter(({ view }) => view.status === OrderStatus.ORDER_STATUS_CONFIRMED)).toHaveLength(50);
    const facts = await eventStoreFacts();
    expect(facts.reserved.get(product)).toBe(50);
    const reservations = facts.reservedByOrder.get(product) ?? new Map<string, number>();
    expect(reservations.size).toBe(50);
    expect([...reservations.values()].every((times) => times === 1)).toBe(true);
    const confirmed = views
      .filter(({ view }) => view.status === OrderStatus.ORDER_STATUS_CONFIRMED)
      .map(({ orderId }) => orderId)
      .sort();
    expect([...reservations.keys()].sort()).toEqual(confirmed);
    await expectViewsToAgree(views);
    await eventually(async () =>
      expect((await flows.product(product)).response?.product).toMatchObject({
        stock: 50,
        reservedStock: 50,
        availableStock: 0,
        inStock: false,
      }),
    );
    await reactor.stop('SIGTERM');
    reactor = undefined;
  });

  it('the reacting process killed with SIGKILL in the middle of 500 flows: after a restart every flow completes, no reservation applied twice', async () => {
    const products = await inBatches(
      Array.from({ length: 20 }, (_, i) => i),
      10,
      (i) => flows.createProduct(`Dish ${i}`, 30, 100 + i),
    );
    const lines = (i: number): Array<[string, number]> => [
      [products[i % 20] as string, 1],
      [products[(i * 7 + 3) % 20] as string, 1 + (i % 2)],
    ];
    // Placed while no process reacts, so the flows are all under way when the reactor starts.
    const acks = await inBatches(
      Array.from({ length: 500 }, (_, i) => i),
      25,
      async (i) => ({ i, ack: await flows.placed(lines(i)) }),
    );
    const reservationEvents = async () =>
      Number(((await mysql('events').count({ n: '*' }).where('stream_type', 'catalog.reservation').first()) as { n: number | string }).n);
    const before = await reservationEvents();
    const outcomes = async () => (await reservationEvents()) - before;

    reactor = await startApp('command-service', reactorEnv());
    await eventually(async () => expect(await outcomes()).toBeGreaterThanOrEqual(100), { timeoutMs: 120_000, intervalMs: 20 });
    await reactor.stop('SIGKILL');
    const atKill = await outcomes();
    expect(atKill).toBeLessThan(500);

    reactor = await startApp('command-service', reactorEnv());
    const views = await inBatches(acks, 50, async ({ ack }) => ({
      orderId: ack.aggregateId,
      view: await flows.decided(ack.aggregateId, ack.consistencyToken, 180_000),
    }));
    expect(views.every(({ view }) => DECIDED.includes(view.status))).toBe(true);
    expect(await outcomes()).toBe(500);

    const facts = await eventStoreFacts();
    const confirmed = new Set(views.filter(({ view }) => view.status === OrderStatus.ORDER_STATUS_CONFIRMED).map(({ orderId }) => orderId));
    for (const product of products) {
      const reservations = facts.reservedByOrder.get(product) ?? new Map<string, number>();
      expect([...reservations.values()].filter((times) => times !== 1)).toEqual([]);
      const expected = acks
        .filter(({ ack }) => confirmed.has(ack.aggregateId))
        .flatMap(({ i }) => lines(i))
        .filter(([id]) => id === product)
        .reduce((sum, [, quantity]) => sum + quantity, 0);
      expect([product, facts.reserved.get(product) ?? 0]).toEqual([product, expected]);
      expect(expected).toBeLessThanOrEqual(30);
    }
    await expectViewsToAgree(views);
  });
});
