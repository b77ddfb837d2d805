import type { Message } from '@cqrs/decider';
import type { PricedLine } from './order.values';

export interface RequestedLine {
  readonly productId: string;
  readonly quantity: number;
}

/** As requested: the reference is checked (exactly one of table and customer) when the order is placed. */
export type PlaceOrder = Message<
  'PlaceOrder',
  { orderId: string; reference: { table?: string; customer?: string }; lines: readonly RequestedLine[]; notes: string }
>;
/** The catalog reserved stock for every line: the lines as priced by the catalog at that moment. */
export type ConfirmOrder = Message<'ConfirmOrder', { orderId: string; lines: readonly PricedLine[] }>;
/** The catalog could not reserve every line, so it reserved none. */
export type RejectOrder = Message<'RejectOrder', { orderId: string; reason: string }>;
export type StartPreparing = Message<'StartPreparing', { orderId: string }>;
export type MarkReady = Message<'MarkReady', { orderId: string }>;
export type MarkServed = Message<'MarkServed', { orderId: string }>;
export type CancelOrder = Message<'CancelOrder', { orderId: string; reason: string }>;

export type OrderCommand = PlaceOrder | ConfirmOrder | RejectOrder | StartPreparing | MarkReady | MarkServed | CancelOrder;
