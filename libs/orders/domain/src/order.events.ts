import type { Message } from '@cqrs/decider';
import type { RequestedLine } from './order.commands';
import type { Money, OrderReference, PricedLine } from './order.values';

export type OrderPlaced = Message<
  'OrderPlaced',
  { orderId: string; reference: OrderReference; lines: readonly RequestedLine[]; notes: string }
>;
export type OrderConfirmed = Message<'OrderConfirmed', { orderId: string; lines: readonly PricedLine[]; total: Money }>;
export type OrderRejected = Message<'OrderRejected', { orderId: string; reason: string }>;
export type OrderPreparationStarted = Message<'OrderPreparationStarted', { orderId: string }>;
export type OrderReady = Message<'OrderReady', { orderId: string }>;
export type OrderServed = Message<'OrderServed', { orderId: string }>;
/** The catalog releases whatever it reserved for the order (it has seen OrderPlaced first: same stream). */
export type OrderCancelled = Message<'OrderCancelled', { orderId: string; reason: string }>;

export type OrderEvent = OrderPlaced | OrderConfirmed | OrderRejected | OrderPreparationStarted | OrderReady | OrderServed | OrderCancelled;
