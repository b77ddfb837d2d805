export type {
  CancelOrder,
  ConfirmOrder,
  MarkReady,
  MarkServed,
  OrderCommand,
  PlaceOrder,
  RejectOrder,
  RequestedLine,
  StartPreparing,
} from './order.commands';
export { ORDER_RESOURCE, orderDecider } from './order.decider';
export type {
  OrderCancelled,
  OrderConfirmed,
  OrderEvent,
  OrderPlaced,
  OrderPreparationStarted,
  OrderReady,
  OrderRejected,
  OrderServed,
} from './order.events';
export { CUSTOMER_MAX, MAX_LINES, MAX_QUANTITY, NOTES_MAX, REASON_MAX } from './order.rules';
export type { ExistingOrder, OrderState } from './order.state';
export { ORDER_STATUSES } from './order.values';
export type { Money, OrderReference, OrderStatus, PricedLine } from './order.values';
