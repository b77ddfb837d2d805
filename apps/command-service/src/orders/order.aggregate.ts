import { orderDecider, type OrderCommand, type OrderEvent, type OrderState } from '@cqrs/orders-domain';
import type { AggregateType } from '@cqrs/write-store';
import { orderCodec } from './order.codec';

export const ORDER_STREAM_TYPE = 'orders.order';

/** The Order aggregate as the platform runs it: stream type, decider, codec. */
export const orderAggregate: AggregateType<OrderState, OrderCommand, OrderEvent> = {
  streamType: ORDER_STREAM_TYPE,
  decider: orderDecider,
  codec: orderCodec,
};
