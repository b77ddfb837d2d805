import type { Message } from '@cqrs/decider';
import { AMOUNT_MINOR_MAX, IllegalStateError, NotFoundError, productWithin, sumWithin, ValidationError } from '@cqrs/errors';
import type { Money } from './money';
import { productDecider } from './product.decider';
import type { ProductEvent } from './product.events';
import type { ProductState } from './product.state';

/**
 * The stock reservation of one order (stream type "catalog.reservation", id = the order id). It
 * decides together with the products of the order's lines, and is written with their events in
 * one transaction: every line reserved, or none. Its own stream makes the reactions idempotent:
 * once it is decided, a redelivered OrderPlaced (or a second cancellation) changes nothing.
 */
export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
}

/** A line as the catalog priced it when it decided the reservation. */
export interface ReservedLine extends OrderLine {
  readonly name: string;
  readonly unitPrice: Money;
}

export type StockReserved = Message<'StockReserved', { orderId: string; lines: readonly ReservedLine[] }>;
/** Nothing was reserved; the lines whose products exist are priced all the same. */
export type StockReservationRejected = Message<
  'StockReservationRejected',
  { orderId: string; reason: string; lines: readonly ReservedLine[] }
>;
/** Given back; when nothing was reserved yet, nothing ever will be for this order. */
export type StockReleased = Message<'StockReleased', { orderId: string }>;
export type StockConsumed = Message<'StockConsumed', { orderId: string }>;
export type ReservationEvent = StockReserved | StockReservationRejected | StockReleased | StockConsumed;

export type ReserveForOrder = Message<'ReserveForOrder', { orderId: string; lines: readonly OrderLine[] }>;
export type ReleaseForOrder = Message<'ReleaseForOrder', { orderId: string }>;
export type ConsumeForOrder = Message<'ConsumeForOrder', { orderId: string }>;
export type ReservationCommand = ReserveForOrder | ReleaseForOrder | ConsumeForOrder;

export type ReservationState =
  | { readonly status: 'Empty' }
  | { readonly status: 'Reserved'; readonly lines: readonly ReservedLine[] }
  | { readonly status: 'Rejected' | 'Released' | 'Consumed' };

export interface ReservationDecision {
  readonly reservation: ReservationEvent[];
  /** Events per product id, for the products whose stock changes. */
  readonly products: ReadonlyMap<string, ProductEvent[]>;
}

export const reservationEvolver = {
  initialState: (): ReservationState => ({ status: 'Empty' }),
  evolve(state: ReservationState, event: ReservationEvent): ReservationState {
    switch (event.type) {
      case 'StockReserved':
        return { status: 'Reserved', lines: event.data.lines };
      case 'StockReservationRejected':
        return { status: 'Rejected' };
      case 'StockReleased':
        return { status: 'Released' };
      case 'StockConsumed':
        return { status: 'Consumed' };
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown event ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
};

/** The product ids a command needs the state of, besides the reservation's own. */
export function productsInvolved(command: ReservationCommand, reservation: ReservationState): string[] {
  if (command.type === 'ReserveForOrder') return command.data.lines.map((line) => line.productId);
  return reservation.status === 'Reserved' ? reservation.lines.map((line) => line.productId) : [];
}

export function decideReservation(
  command: ReservationCommand,
  reservation: ReservationState,
  products: ReadonlyMap<string, ProductState>,
): ReservationDecision {
  const { orderId } = command.data;
  const none: ReservationDecision = { reservation: [], products: new Map() };
  switch (command.type) {
    case 'ReserveForOrder':
      return reservation.status === 'Empty' ? reserve(orderId, command.data.lines, products) : none;
    case 'ReleaseForOrder':
      if (reservation.status === 'Empty') return { reservation: [{ type: 'StockReleased', data: { orderId } }], products: new Map() };
      if (reservation.status !== 'Reserved') return none;
      return {
        reservation: [{ type: 'StockReleased', data: { orderId } }],
        products: perLine(reservation.lines, products, (line) => ({ type: 'ReleaseStock', data: { ...line, orderId } })),
      };
    case 'ConsumeForOrder':
      if (reservation.status !== 'Reserved') return none;
      return {
        reservation: [{ type: 'StockConsumed', data: { orderId } }],
        products: perLine(reservation.lines, products, (line) => ({ type: 'ConsumeStock', data: { ...line, orderId } })),
      };
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/** Every line through the product's own rules; one refusal rejects the whole order. */
function reserve(orderId: string, lines: readonly OrderLine[], products: ReadonlyMap<string, ProductState>): ReservationDecision {
  const refusals: string[] = [];
  const events = new Map<string, ProductEvent[]>();
  for (const { productId, quantity } of lines) {
    try {
      events.set(
        productId,
        productDecider.decide({ type: 'ReserveStock', data: { productId, orderId, quantity } }, stateOf(products, productId)),
      );
    } catch (err) {
      if (!(err instanceof IllegalStateError || err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      refusals.push(err.message);
    }
  }
  const priced = lines.flatMap((line): ReservedLine[] => {
    const product = products.get(line.productId);
    return product?.status === 'Active'
      ? [{ productId: line.productId, quantity: line.quantity, name: product.name, unitPrice: product.price }]
      : [];
  });
  // An order is billed in one currency: lines priced in several could never be totalled.
  const currencies = [...new Set(priced.map((line) => line.unitPrice.currencyCode))];
  if (currencies.length > 1)
    refusals.push(`the order's products are priced in different currencies (${currencies.join(', ')}); an order is billed in one`);
  else if (totalOf(priced) === undefined) refusals.push(`the order's total would pass ${AMOUNT_MINOR_MAX} minor units`);
  if (refusals.length > 0)
    return {
      reservation: [{ type: 'StockReservationRejected', data: { orderId, reason: refusals.join('; '), lines: priced } }],
      products: new Map(),
    };
  return { reservation: [{ type: 'StockReserved', data: { orderId, lines: priced } }], products: events };
}

/** The order's total in minor units, or undefined when a line total or the sum would pass the bound. */
function totalOf(lines: readonly ReservedLine[]): number | undefined {
  const lineTotals = lines.map((line) => productWithin(line.quantity, line.unitPrice.amountMinor, AMOUNT_MINOR_MAX));
  return lineTotals.every((total) => total !== undefined) ? sumWithin(lineTotals, AMOUNT_MINOR_MAX) : undefined;
}

function perLine(
  lines: readonly OrderLine[],
  products: ReadonlyMap<string, ProductState>,
  command: (line: OrderLine) => Parameters<typeof productDecider.decide>[0],
): Map<string, ProductEvent[]> {
  return new Map(
    lines.map((line) => [
      line.productId,
      productDecider.decide(command({ productId: line.productId, quantity: line.quantity }), stateOf(products, line.productId)),
    ]),
  );
}

function stateOf(products: ReadonlyMap<string, ProductState>, productId: string): ProductState {
  return products.get(productId) ?? productDecider.initialState();
}
