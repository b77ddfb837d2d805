import { catalogV1, decodeClamped } from '@cqrs/contracts';
import type { ReservationEvent, ReservedLine } from '@cqrs/catalog-domain';
import type { EncodedEvent, EventCodec } from '@cqrs/write-store';
import { money } from './product.codec';

const SCHEMA_VERSION = 1;

/** Reservation events are stored and published as the catalog.v1 Protobuf messages of proto/. */
export const reservationCodec: EventCodec<ReservationEvent> = {
  encode(event: ReservationEvent): EncodedEvent {
    switch (event.type) {
      case 'StockReserved':
        return encoded(
          'catalog.v1.StockReserved',
          catalogV1.StockReserved.encode(catalogV1.StockReserved.fromPartial({ ...event.data, lines: [...event.data.lines] })).finish(),
        );
      case 'StockReservationRejected':
        return encoded(
          'catalog.v1.StockReservationRejected',
          catalogV1.StockReservationRejected.encode(
            catalogV1.StockReservationRejected.fromPartial({ ...event.data, lines: [...event.data.lines] }),
          ).finish(),
        );
      case 'StockReleased':
        return encoded('catalog.v1.StockReleased', catalogV1.StockReleased.encode(event.data).finish());
      case 'StockConsumed':
        return encoded('catalog.v1.StockConsumed', catalogV1.StockConsumed.encode(event.data).finish());
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown reservation event ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
  decode({ type, payload }: EncodedEvent): ReservationEvent {
    switch (type) {
      case 'catalog.v1.StockReserved': {
        const { orderId, lines } = decodeClamped(catalogV1.StockReserved, payload);
        return { type: 'StockReserved', data: { orderId, lines: lines.map(reservedLine) } };
      }
      case 'catalog.v1.StockReservationRejected': {
        const { orderId, reason, lines } = decodeClamped(catalogV1.StockReservationRejected, payload);
        return { type: 'StockReservationRejected', data: { orderId, reason, lines: lines.map(reservedLine) } };
      }
      case 'catalog.v1.StockReleased':
        return { type: 'StockReleased', data: decodeClamped(catalogV1.StockReleased, payload) };
      case 'catalog.v1.StockConsumed':
        return { type: 'StockConsumed', data: decodeClamped(catalogV1.StockConsumed, payload) };
      default:
        throw new Error(`unknown reservation event type ${type}`);
    }
  },
};

export function reservedLine(line: catalogV1.ReservedLine): ReservedLine {
  return { productId: line.productId, quantity: line.quantity, name: line.name, unitPrice: money(line.unitPrice) };
}

function encoded(type: string, payload: Uint8Array): EncodedEvent {
  return { type, schemaVersion: SCHEMA_VERSION, payload: Buffer.from(payload) };
}
