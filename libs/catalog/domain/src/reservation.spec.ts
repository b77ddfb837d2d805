import { foldEvents } from '@cqrs/decider';
import { AMOUNT_MINOR_MAX } from '@cqrs/errors';
import { productDecider } from './product.decider';
import type { ProductEvent } from './product.events';
import type { ProductState } from './product.state';
import { decideReservation, productsInvolved, reservationEvolver, type ReservationEvent, type ReservationState } from './reservation';

const orderId = '7d0c4d3e-3b1f-4a8e-9f3a-5c2e1b0a9d8c';
const espresso = '0b7c1f52-5a7e-4c1b-9d59-1f2b8c3d4e5f';
const croissant = '1c8d2a63-6b8f-4d2c-8e6a-2a3c9d4e5f60';
const unknown = '2d9e3b74-7c9a-4e3d-9f7b-3b4dae5f6071';
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

function product(productId: string, name: string, price: number, stock: number, more: ProductEvent[] = []): ProductState {
  return foldEvents(productDecider, [
    { type: 'ProductCreated', data: { productId, sku: name.toUpperCase(), name, description: '', price: eur(price), initialStock: stock } },
    ...more,
  ]);
}

const catalog = new Map([
  [espresso, product(espresso, 'Espresso', 250, 5)],
  [croissant, product(croissant, 'Croissant', 180, 1)],
]);

function reservation(...events: ReservationEvent[]): ReservationState {
  return events.reduce(reservationEvolver.evolve, reservationEvolver.initialState());
}

const reserve = (lines: Array<[string, number]>) => ({
  type: 'ReserveForOrder' as const,
  data: { orderId, lines: lines.map(([productId, quantity]) => ({ productId, quantity })) },
});
const reservedBoth: ReservationEvent = {
  type: 'StockReserved',
  data: {
    orderId,
    lines: [
      { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) },
      { productId: croissant, quantity: 1, name: 'Croissant', unitPrice: eur(180) },
    ],
  },
};

describe('stock reservation of an order', () => {
  it('reserves every line at once, pricing each as the catalog has it now', () => {
    const decision = decideReservation(
      reserve([
        [espresso, 2],
        [croissant, 1],
      ]),
      reservation(),
      catalog,
    );
    expect(decision.reservation).toEqual([reservedBoth]);
    expect([...decision.products]).toEqual([
      [espresso, [{ type: 'ProductStockReserved', data: { productId: espresso, orderId, quantity: 2, reserved: 2 } }]],
      [croissant, [{ type: 'ProductStockReserved', data: { productId: croissant, orderId, quantity: 1, reserved: 1 } }]],
    ]);
  });

  it('reserves nothing for any line when one line lacks stock, and says why', () => {
    const decision = decideReservation(
      reserve([
        [espresso, 2],
        [croissant, 2],
      ]),
      reservation(),
      catalog,
    );
    expect(decision.products.size).toBe(0);
    expect(decision.reservation).toEqual([
      {
        type: 'StockReservationRejected',
        data: {
          orderId,
          reason: `product ${croissant} has 1 available; the order asks for 2`,
          lines: [
            { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) },
            { productId: croissant, quantity: 2, name: 'Croissant', unitPrice: eur(180) },
          ],
        },
      },
    ]);
  });

  it('rejects an order whose products are priced in different currencies (it could not be totalled)', () => {
    const dollars = foldEvents(productDecider, [
      {
        type: 'ProductCreated',
        data: {
          productId: unknown,
          sku: 'BAGEL',
          name: 'Bagel',
          description: '',
          price: { currencyCode: 'USD', amountMinor: 300 },
          initialStock: 5,
        },
      },
    ]);
    const decision = decideReservation(
      reserve([
        [espresso, 1],
        [unknown, 1],
      ]),
      reservation(),
      new Map([...catalog, [unknown, dollars]]),
    );
    expect(decision.products.size).toBe(0);
    expect(decision.reservation[0]).toMatchObject({
      type: 'StockReservationRejected',
      data: { reason: expect.stringContaining('different currencies (EUR, USD)') },
    });
  });

  it('rejects an order whose total would pass 10^15 minor units, and reserves nothing', () => {
    const pricey = new Map([
      [espresso, product(espresso, 'Espresso', AMOUNT_MINOR_MAX / 2, 5)],
      [croissant, product(croissant, 'Croissant', 1, 1)],
    ]);
    expect(decideReservation(reserve([[espresso, 2]]), reservation(), pricey).reservation[0]?.type).toBe('StockReserved');
    for (const lines of [
      [[espresso, 3]],
      [
        [espresso, 2],
        [croissant, 1],
      ],
    ] as Array<Array<[string, number]>>) {
      const decision = decideReservation(reserve(lines), reservation(), pricey);
      expect(decision.products.size).toBe(0);
      expect(decision.reservation[0]).toMatchObject({
        type: 'StockReservationRejected',
        data: { reason: `the order's total would pass ${AMOUNT_MINOR_MAX} minor units` },
      });
    }
  });

  it('rejects an order for a product priced past the bound by older code', () => {
    const legacy = foldEvents(productDecider, [
      {
        type: 'ProductCreated',
        data: { productId: espresso, sku: 'E', name: 'Espresso', description: '', price: eur(250), initialStock: 200 },
      },
      { type: 'ProductPriceChanged', data: { productId: espresso, previousPrice: eur(250), price: eur(Number.MAX_SAFE_INTEGER) } },
    ]);
    const decision = decideReservation(reserve([[espresso, 99]]), reservation(), new Map([[espresso, legacy]]));
    expect(decision.products.size).toBe(0);
    expect(decision.reservation[0]?.type).toBe('StockReservationRejected');
  });

  it('rejects a line whose product does not exist or is deleted', () => {
    const deleted = product(croissant, 'Croissant', 180, 1, [{ type: 'ProductDeleted', data: { productId: croissant, reason: '' } }]);
    const decision = decideReservation(
      reserve([
        [unknown, 1],
        [croissant, 1],
      ]),
      reservation(),
      new Map([[croissant, deleted]]),
    );
    expect(decision.reservation[0]?.type).toBe('StockReservationRejected');
    expect(decision.reservation[0]?.data).toMatchObject({ reason: expect.stringMatching(/not found.*; .*deleted/is), lines: [] });
  });

  it('does nothing when the reservation is already decided (a redelivered OrderPlaced)', () => {
    for (const decided of [
      reservation(reservedBoth),
      reservation({ type: 'StockReservationRejected', data: { orderId, reason: 'x', lines: [] } }),
      reservation({ type: 'StockReleased', data: { orderId } }),
    ]) {
      const decision = decideReservation(reserve([[espresso, 1]]), decided, catalog);
      expect(decision).toEqual({ reservation: [], products: new Map() });
    }
  });

  it('releases what it reserved, once', () => {
    const reservedCatalog = new Map([
      [
        espresso,
        product(espresso, 'Espresso', 250, 5, [
          { type: 'ProductStockReserved', data: { productId: espresso, orderId, quantity: 2, reserved: 2 } },
        ]),
      ],
      [
        croissant,
        product(croissant, 'Croissant', 180, 1, [
          { type: 'ProductStockReserved', data: { productId: croissant, orderId, quantity: 1, reserved: 1 } },
        ]),
      ],
    ]);
    const release = { type: 'ReleaseForOrder' as const, data: { orderId } };
    expect(productsInvolved(release, reservation(reservedBoth))).toEqual([espresso, croissant]);
    const decision = decideReservation(release, reservation(reservedBoth), reservedCatalog);
    expect(decision.reservation).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(decision.products.get(espresso)).toEqual([
      { type: 'ProductStockReleased', data: { productId: espresso, orderId, quantity: 2, reserved: 0 } },
    ]);
    expect(
      decideReservation(release, reservation(reservedBoth, { type: 'StockReleased', data: { orderId } }), reservedCatalog).reservation,
    ).toEqual([]);
  });

  it('a cancellation that arrives before the reservation closes it, so a late OrderPlaced reserves nothing', () => {
    const released = decideReservation({ type: 'ReleaseForOrder', data: { orderId } }, reservation(), catalog);
    expect(released.reservation).toEqual([{ type: 'StockReleased', data: { orderId } }]);
    expect(decideReservation(reserve([[espresso, 1]]), reservation(...released.reservation), catalog).reservation).toEqual([]);
  });

  it('consumes reserved units when the order is served, and only what is reserved', () => {
    const reservedCatalog = new Map([
      [
        espresso,
        product(espresso, 'Espresso', 250, 5, [
          { type: 'ProductStockReserved', data: { productId: espresso, orderId, quantity: 2, reserved: 2 } },
        ]),
      ],
    ]);
    const one: ReservationEvent = {
      type: 'StockReserved',
      data: { orderId, lines: [{ productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) }] },
    };
    const decision = decideReservation({ type: 'ConsumeForOrder', data: { orderId } }, reservation(one), reservedCatalog);
    expect(decision.reservation).toEqual([{ type: 'StockConsumed', data: { orderId } }]);
    expect(decision.products.get(espresso)).toEqual([
      { type: 'ProductStockConsumed', data: { productId: espresso, orderId, quantity: 2, stock: 3, reserved: 0 } },
    ]);
    expect(decideReservation({ type: 'ConsumeForOrder', data: { orderId } }, reservation(), catalog).reservation).toEqual([]);
  });
});
