import { catalogV1, commonV1, ordersV1 } from '@cqrs/contracts';
import { applyOrderEvent, toOrderView, type OrderViewDocument } from './order-view';
import { ordersProjection } from './orders.projection';
import { projectionSpec } from '@cqrs/projection/testing';

const orderId = '3c2b1a09-0000-4000-8000-000000000001';
const espresso = '5f0e7d1c-0000-4000-8000-000000000001';
const tart = '5f0e7d1c-0000-4000-8000-000000000002';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 12, minute));
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

function envelope(streamType: string, version: number, eventType: string, payload: Uint8Array, minute: number): commonV1.EventEnvelope {
  return commonV1.EventEnvelope.fromPartial({
    eventId: `${streamType}-${version}`,
    streamType,
    aggregateId: orderId,
    version,
    eventType,
    payload: Buffer.from(payload),
    occurredAt: t(minute),
  });
}
const order = (version: number, type: string, payload: Uint8Array, minute: number) =>
  envelope('orders.order', version, `orders.v1.${type}`, payload, minute);
const reservation = (version: number, type: string, payload: Uint8Array, minute: number) =>
  envelope('catalog.reservation', version, `catalog.v1.${type}`, payload, minute);

const placed = order(
  1,
  'OrderPlaced',
  ordersV1.OrderPlaced.encode({
    orderId,
    reference: { table: '12' },
    lines: [
      { productId: espresso, quantity: 2 },
      { productId: tart, quantity: 1 },
    ],
    notes: 'no sugar',
  }).finish(),
  0,
);
const pricedLines = [
  { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) },
  { productId: tart, quantity: 1, name: 'Tarte Tatin', unitPrice: eur(650) },
];
const reserved = reservation(1, 'StockReserved', catalogV1.StockReserved.encode({ orderId, lines: pricedLines }).finish(), 1);
const confirmed = order(2, 'OrderConfirmed', ordersV1.OrderConfirmed.encode({ orderId, lines: pricedLines, total: eur(1150) }).finish(), 1);

const spec = projectionSpec(ordersProjection);
const fold = (...envelopes: commonV1.EventEnvelope[]): OrderViewDocument | undefined => spec(envelopes).view();

describe('order view', () => {
  it('is the same whichever source arrives first: lines priced as the catalog reserved them, status from the order', () => {
    const orderFirst = fold(placed, reserved, confirmed);
    const catalogFirst = fold(reserved, placed, confirmed);
    expect(catalogFirst).toEqual(orderFirst);
    expect(orderFirst).toMatchObject({
      placed: true,
      status: 'CONFIRMED',
      stock: 'RESERVED',
      referenceKey: 't:12',
      lines: [
        { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) },
        { productId: tart, quantity: 1, name: 'Tarte Tatin', unitPrice: eur(650) },
      ],
      timestamps: { placedAt: t(0), confirmedAt: t(1) },
    });
  });

  it('a reservation outcome alone makes a view that is not yet placed (not served, filed in no list)', () => {
    const early = fold(reserved) as OrderViewDocument;
    expect(early.placed).toBe(false);
    for (const listOrder of ordersProjection.orders ?? []) expect(listOrder.key(early)).toBeUndefined();
  });

  it('maps to OrderView with line totals, the total and the rejection reason', () => {
    const rejection = reservation(
      1,
      'StockReservationRejected',
      catalogV1.StockReservationRejected.encode({ orderId, reason: 'tart: 0 available', lines: pricedLines }).finish(),
      1,
    );
    const rejected = order(2, 'OrderRejected', ordersV1.OrderRejected.encode({ orderId, reason: 'tart: 0 available' }).finish(), 1);
    const view = toOrderView(fold(placed, rejection, rejected) as OrderViewDocument);
    expect(view).toMatchObject({
      orderId,
      reference: { table: '12' },
      status: ordersV1.OrderStatus.ORDER_STATUS_REJECTED,
      stock: ordersV1.StockStatus.STOCK_STATUS_REJECTED,
      reason: 'tart: 0 available',
      total: eur(1150),
      notes: 'no sugar',
    });
    expect(view.lines[0]).toEqual({ productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250), lineTotal: eur(500) });
  });

  it('applies amounts stored past 2^53 by older code (read as 2^53 - 1), and leaves out totals a number cannot hold', () => {
    const int64 = (value: bigint) => value as unknown as number; // the generated encoder writes a bigint as it is
    const huge = { currencyCode: 'EUR', amountMinor: int64(891712726219358080n) };
    const lines = [{ ...pricedLines[0], unitPrice: { currencyCode: 'EUR', amountMinor: Number.MAX_SAFE_INTEGER } }, pricedLines[1]];
    const legacyConfirmed = order(2, 'OrderConfirmed', ordersV1.OrderConfirmed.encode({ orderId, lines, total: huge }).finish(), 1);
    const view = toOrderView(
      fold(
        placed,
        reservation(1, 'StockReserved', catalogV1.StockReserved.encode({ orderId, lines }).finish(), 1),
        legacyConfirmed,
      ) as OrderViewDocument,
    );
    expect(view.status).toBe(ordersV1.OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(view.total).toEqual(eur(Number.MAX_SAFE_INTEGER));
    expect(view.lines.map((line) => line.lineTotal)).toEqual([undefined, eur(650)]);
    const rejection = reservation(
      1,
      'StockReservationRejected',
      catalogV1.StockReservationRejected.encode({ orderId, reason: 'too dear', lines }).finish(),
      1,
    );
    expect(toOrderView(fold(placed, rejection) as OrderViewDocument).total).toBeUndefined();
  });

  it('is in the kitchen queue while confirmed or preparing, by confirmation time, and leaves it when ready', () => {
    const kitchen = ordersProjection.orders?.find((o) => o.name === 'kitchen');
    const preparing = order(3, 'OrderPreparationStarted', ordersV1.OrderPreparationStarted.encode({ orderId }).finish(), 5);
    const ready = order(4, 'OrderReady', ordersV1.OrderReady.encode({ orderId }).finish(), 9);
    expect(kitchen?.key(fold(placed, reserved) as OrderViewDocument)).toBeUndefined();
    expect(kitchen?.key(fold(placed, reserved, confirmed) as OrderViewDocument)).toEqual([t(1).toISOString(), orderId]);
    expect(kitchen?.key(fold(placed, reserved, confirmed, preparing) as OrderViewDocument)).toEqual([t(1).toISOString(), orderId]);
    expect(kitchen?.key(fold(placed, reserved, confirmed, preparing, ready) as OrderViewDocument)).toBeUndefined();
  });

  it('throws (retried, then parked) for a lifecycle event on an order it never saw placed', () => {
    expect(() => applyOrderEvent(undefined, confirmed)).toThrow(/has no view/);
  });
});
