import type { RequestedLine } from './order.commands';
import type { OrderReference, OrderStatus } from './order.values';

export type OrderState =
  | { readonly status: 'Empty' }
  | {
      readonly status: OrderStatus;
      readonly orderId: string;
      readonly reference: OrderReference;
      readonly lines: readonly RequestedLine[];
    };

export type ExistingOrder = Exclude<OrderState, { status: 'Empty' }>;
