import { catalogV1, decodeClamped, type commonV1 } from '@cqrs/contracts';
import { REASON_MAX, type OrderCommand } from '@cqrs/orders-domain';
import type { CommandExecutor } from '@cqrs/write-store';
import { money } from '../catalog/product.codec';
import { reactionMetadata } from '../commands/reaction-metadata';
import { orderAggregate } from './order.aggregate';

/** The order side's reaction to the catalog: confirm on StockReserved, reject on StockReservationRejected. */
export const RESERVATION_OUTCOME_REACTION = { name: 'orders-reservation-outcome', streamType: 'catalog.reservation' } as const;

export function reservationOutcomeReaction(executor: CommandExecutor): (envelope: commonV1.EventEnvelope) => Promise<void> {
  return async (envelope) => {
    const command = commandFor(envelope);
    if (command === undefined) return;
    // A redelivered outcome, or one that comes after a cancellation, changes nothing (the order decides).
    await executor.execute(orderAggregate, {
      aggregateId: command.data.orderId,
      command,
      metadata: reactionMetadata(envelope, RESERVATION_OUTCOME_REACTION.name),
      now: new Date(),
    });
  };
}

function commandFor(envelope: commonV1.EventEnvelope): OrderCommand | undefined {
  switch (envelope.eventType) {
    case 'catalog.v1.StockReserved': {
      const { orderId, lines } = decodeClamped(catalogV1.StockReserved, envelope.payload);
      return {
        type: 'ConfirmOrder',
        data: {
          orderId,
          lines: lines.map((line) => ({
            productId: line.productId,
            quantity: line.quantity,
            name: line.name,
            unitPrice: money(line.unitPrice),
          })),
        },
      };
    }
    case 'catalog.v1.StockReservationRejected': {
      const { orderId, reason } = decodeClamped(catalogV1.StockReservationRejected, envelope.payload);
      // The catalog names every line it could not reserve; the order keeps the first REASON_MAX characters.
      return {
        type: 'RejectOrder',
        data: { orderId, reason: reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason },
      };
    }
    default:
      return undefined;
  }
}
