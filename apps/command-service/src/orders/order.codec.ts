import { decodeClamped, ordersV1 } from '@cqrs/contracts';
import type { OrderEvent, OrderReference, PricedLine } from '@cqrs/orders-domain';
import type { EncodedEvent, EventCodec } from '@cqrs/write-store';
import { money } from '../catalog/product.codec';

const SCHEMA_VERSION = 1;

/** Order events are stored and published as the orders.v1 Protobuf messages of proto/. */
export const orderCodec: EventCodec<OrderEvent> = {
  encode(event: OrderEvent): EncodedEvent {
    const type = `orders.v1.${event.type}`;
    switch (event.type) {
      case 'OrderPlaced':
        return encoded(
          type,
          ordersV1.OrderPlaced.encode(ordersV1.OrderPlaced.fromPartial({ ...event.data, lines: [...event.data.lines] })).finish(),
        );
      case 'OrderConfirmed':
        return encoded(
          type,
          ordersV1.OrderConfirmed.encode(ordersV1.OrderConfirmed.fromPartial({ ...event.data, lines: [...event.data.lines] })).finish(),
        );
      case 'OrderRejected':
        return encoded(type, ordersV1.OrderRejected.encode(event.data).finish());
      case 'OrderPreparationStarted':
        return encoded(type, ordersV1.OrderPreparationStarted.encode(event.data).finish());
      case 'OrderReady':
        return encoded(type, ordersV1.OrderReady.encode(event.data).finish());
      case 'OrderServed':
        return encoded(type, ordersV1.OrderServed.encode(event.data).finish());
      case 'OrderCancelled':
        return encoded(type, ordersV1.OrderCancelled.encode(event.data).finish());
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown order event ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
  decode({ type, payload }: EncodedEvent): OrderEvent {
    switch (type) {
      case 'orders.v1.OrderPlaced': {
        const { orderId, reference, lines, notes } = decodeClamped(ordersV1.OrderPlaced, payload);
        return { type: 'OrderPlaced', data: { orderId, reference: referenceOf(reference), lines, notes } };
      }
      case 'orders.v1.OrderConfirmed': {
        const { orderId, lines, total } = decodeClamped(ordersV1.OrderConfirmed, payload);
        return { type: 'OrderConfirmed', data: { orderId, lines: lines.map(pricedLine), total: money(total) } };
      }
      case 'orders.v1.OrderRejected':
        return { type: 'OrderRejected', data: decodeClamped(ordersV1.OrderRejected, payload) };
      case 'orders.v1.OrderPreparationStarted':
        return { type: 'OrderPreparationStarted', data: decodeClamped(ordersV1.OrderPreparationStarted, payload) };
      case 'orders.v1.OrderReady':
        return { type: 'OrderReady', data: decodeClamped(ordersV1.OrderReady, payload) };
      case 'orders.v1.OrderServed':
        return { type: 'OrderServed', data: decodeClamped(ordersV1.OrderServed, payload) };
      case 'orders.v1.OrderCancelled':
        return { type: 'OrderCancelled', data: decodeClamped(ordersV1.OrderCancelled, payload) };
      default:
        throw new Error(`unknown order event type ${type}`);
    }
  },
};

export function referenceOf(reference: ordersV1.OrderReferenceValue | undefined): OrderReference {
  return reference?.table !== undefined ? { table: reference.table } : { customer: reference?.customer ?? '' };
}

function pricedLine(line: ordersV1.PricedLine): PricedLine {
  return { productId: line.productId, quantity: line.quantity, name: line.name, unitPrice: money(line.unitPrice) };
}

function encoded(type: string, payload: Uint8Array): EncodedEvent {
  return { type, schemaVersion: SCHEMA_VERSION, payload: Buffer.from(payload) };
}
