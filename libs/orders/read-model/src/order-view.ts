import { catalogV1, decodeClamped, ordersV1, type commonV1 } from '@cqrs/contracts';
import { productWithin, sumWithin } from '@cqrs/errors';

export const ORDER_STREAM_TYPE = 'orders.order';
/** The catalog's stock reservation of an order; its aggregate id is the order id. */
export const RESERVATION_STREAM_TYPE = 'catalog.reservation';

export type OrderStatusName = 'PLACED' | 'CONFIRMED' | 'REJECTED' | 'PREPARING' | 'READY' | 'SERVED' | 'CANCELLED';
export type StockStatusName = 'PENDING' | 'RESERVED' | 'REJECTED' | 'RELEASED' | 'CONSUMED';

interface Money {
  readonly currencyCode: string;
  readonly amountMinor: number;
}

export interface OrderLineDocument {
  readonly productId: string;
  readonly quantity: number;
  /** As the catalog priced the line when it decided the reservation; absent until then. */
  readonly name?: string;
  readonly unitPrice?: Money;
}

/**
 * An order as stored in the view store; `_id` is the order id. Fed by the order's own events and
 * by the catalog's reservation events for it, which may arrive first: until OrderPlaced is
 * applied, `placed` is false and the view is not served.
 */
export interface OrderViewDocument {
  readonly _id: string;
  /** The last applied version of the order aggregate. */
  readonly version: number;
  readonly sourceVersions?: Readonly<Record<string, number>>;
  readonly revision?: number;
  readonly parkedVersions?: readonly number[];
  readonly placed: boolean;
  readonly reference: { readonly table?: string; readonly customer?: string };
  /** "t:<table>" or "c:<customer>": one field to file the order under. */
  readonly referenceKey: string;
  readonly lines: readonly OrderLineDocument[];
  readonly notes: string;
  readonly status: OrderStatusName;
  readonly stock: StockStatusName;
  readonly reason: string;
  readonly total?: Money;
  readonly timestamps: Partial<
    Record<'placedAt' | 'confirmedAt' | 'rejectedAt' | 'preparingAt' | 'readyAt' | 'servedAt' | 'cancelledAt', Date>
  >;
}

/** The next state of an order's view after one event of either source; undefined for event types it ignores. */
export function applyOrderEvent(current: OrderViewDocument | undefined, envelope: commonV1.EventEnvelope): OrderViewDocument | undefined {
  const at = envelope.occurredAt ?? new Date(0);
  const view = current ?? emptyOrder(envelope.aggregateId);
  const stamped = (
    status: OrderStatusName,
    field: keyof OrderViewDocument['timestamps'],
    more: Partial<OrderViewDocument> = {},
  ): OrderViewDocument => ({
    ...placedOnly(current, envelope),
    status,
    timestamps: { ...view.timestamps, [field]: at },
    ...more,
  });
  switch (envelope.eventType) {
    case 'orders.v1.OrderPlaced': {
      const e = decodeClamped(ordersV1.OrderPlaced, envelope.payload);
      const priced = new Map(view.lines.map((line) => [line.productId, line]));
      const reference = e.reference?.table !== undefined ? { table: e.reference.table } : { customer: e.reference?.customer ?? '' };
      return {
        ...view,
        placed: true,
        reference,
        referenceKey: referenceKeyOf(reference),
        lines: e.lines.map((line) => ({ ...priced.get(line.productId), productId: line.productId, quantity: line.quantity })),
        notes: e.notes,
        // A reservation outcome applied first already moved the status on.
        status: view.placed ? view.status : 'PLACED',
        timestamps: { ...view.timestamps, placedAt: at },
      };
    }
    case 'orders.v1.OrderConfirmed': {
      const e = decodeClamped(ordersV1.OrderConfirmed, envelope.payload);
      return stamped('CONFIRMED', 'confirmedAt', {
        lines: priceLines(view.lines, e.lines),
        ...(e.total !== undefined ? { total: e.total } : {}),
      });
    }
    case 'orders.v1.OrderRejected':
      return stamped('REJECTED', 'rejectedAt', { reason: decodeClamped(ordersV1.OrderRejected, envelope.payload).reason });
    case 'orders.v1.OrderPreparationStarted':
      return stamped('PREPARING', 'preparingAt');
    case 'orders.v1.OrderReady':
      return stamped('READY', 'readyAt');
    case 'orders.v1.OrderServed':
      return stamped('SERVED', 'servedAt');
    case 'orders.v1.OrderCancelled':
      return stamped('CANCELLED', 'cancelledAt', { reason: decodeClamped(ordersV1.OrderCancelled, envelope.payload).reason });
    case 'catalog.v1.StockReserved':
      return { ...view, stock: 'RESERVED', lines: priceLines(view.lines, decodeClamped(catalogV1.StockReserved, envelope.payload).lines) };
    case 'catalog.v1.StockReservationRejected':
      return {
        ...view,
        stock: 'REJECTED',
        lines: priceLines(view.lines, decodeClamped(catalogV1.StockReservationRejected, envelope.payload).lines),
      };
    case 'catalog.v1.StockReleased':
      return { ...view, stock: 'RELEASED' };
    case 'catalog.v1.StockConsumed':
      return { ...view, stock: 'CONSUMED' };
    default:
      return undefined;
  }
}

/** A stand-in for an order whose first event was parked, so later events still find a view. */
export function parkedOrder(aggregateId: string, version: number): OrderViewDocument {
  return { ...emptyOrder(aggregateId), version };
}

function emptyOrder(orderId: string): OrderViewDocument {
  return {
    _id: orderId,
    version: 0,
    placed: false,
    reference: {},
    referenceKey: '',
    lines: [],
    notes: '',
    status: 'PLACED',
    stock: 'PENDING',
    reason: '',
    timestamps: {},
  };
}

/** Lifecycle events need the order placed first (they follow OrderPlaced in its stream). */
function placedOnly(current: OrderViewDocument | undefined, envelope: commonV1.EventEnvelope): OrderViewDocument {
  if (current?.placed !== true) throw new Error(`${envelope.eventType} for order ${envelope.aggregateId} that has no view`);
  return current;
}

/** The lines with the catalog's names and prices; lines come from OrderPlaced or, before it, from the catalog. */
function priceLines(
  lines: readonly OrderLineDocument[],
  priced: ReadonlyArray<{ productId: string; quantity: number; name: string; unitPrice?: Money | undefined }>,
): OrderLineDocument[] {
  const byProduct = new Map(priced.map((line) => [line.productId, line]));
  const known = lines.length > 0 ? lines : priced.map(({ productId, quantity }) => ({ productId, quantity }));
  return known.map((line) => {
    const price = byProduct.get(line.productId);
    return price?.unitPrice === undefined
      ? line
      : { ...line, name: price.name, unitPrice: { currencyCode: price.unitPrice.currencyCode, amountMinor: price.unitPrice.amountMinor } };
  });
}

export function referenceKeyOf(reference: { readonly table?: string | undefined; readonly customer?: string | undefined }): string {
  return reference.table !== undefined ? `t:${reference.table}` : `c:${reference.customer ?? ''}`;
}

export function toOrderView(doc: OrderViewDocument): ordersV1.OrderView {
  const lines = doc.lines.map((line): ordersV1.OrderLineView => ({
    productId: line.productId,
    quantity: line.quantity,
    name: line.name ?? '',
    unitPrice: line.unitPrice,
    lineTotal: lineTotalOf(line),
  }));
  return {
    orderId: doc._id,
    reference: { ...doc.reference },
    lines,
    notes: doc.notes,
    total: doc.total ?? totalOf(lines),
    status: ordersV1.OrderStatus[`ORDER_STATUS_${doc.status}`],
    timestamps: {
      placedAt: doc.timestamps.placedAt,
      confirmedAt: doc.timestamps.confirmedAt,
      rejectedAt: doc.timestamps.rejectedAt,
      preparingAt: doc.timestamps.preparingAt,
      readyAt: doc.timestamps.readyAt,
      servedAt: doc.timestamps.servedAt,
      cancelledAt: doc.timestamps.cancelledAt,
    },
    reason: doc.reason,
    stock: ordersV1.StockStatus[`STOCK_STATUS_${doc.stock}`],
    version: doc.version,
  };
}

/**
 * Quantity times unit price; absent when a number cannot hold it exactly (a rejected order for a
 * product priced near the bound), rather than sent rounded to a client that could not decode it.
 */
function lineTotalOf(line: OrderLineDocument): Money | undefined {
  if (line.unitPrice === undefined) return undefined;
  const amountMinor = productWithin(line.unitPrice.amountMinor, line.quantity, Number.MAX_SAFE_INTEGER);
  return amountMinor === undefined ? undefined : { currencyCode: line.unitPrice.currencyCode, amountMinor };
}

/** The sum of the line totals when every line is priced in one currency and a number holds it exactly. */
function totalOf(lines: readonly ordersV1.OrderLineView[]): Money | undefined {
  const totals = lines.map((line) => line.lineTotal);
  const currencies = new Set(totals.map((t) => t?.currencyCode));
  if (totals.length === 0 || totals.some((t) => t === undefined) || currencies.size !== 1) return undefined;
  const amountMinor = sumWithin(
    totals.map((t) => t?.amountMinor ?? 0),
    Number.MAX_SAFE_INTEGER,
  );
  return amountMinor === undefined ? undefined : { currencyCode: totals[0]?.currencyCode ?? '', amountMinor };
}
