import { decideReservation, productsInvolved, type ProductState, type ReservationCommand } from '@cqrs/catalog-domain';
import { decodeClamped, ordersV1, type commonV1 } from '@cqrs/contracts';
import type { CommandExecutor, StreamWrite } from '@cqrs/write-store';
import { reactionMetadata } from '../commands/reaction-metadata';
import { productAggregate } from './product.aggregate';
import { reservationAggregate } from './reservation.aggregate';

/** The catalog's reaction to orders: reserve on OrderPlaced, release on OrderCancelled, consume on OrderServed. */
export const STOCK_RESERVATION_REACTION = { name: 'catalog-stock-reservation', streamType: 'orders.order' } as const;

export function stockReservationReaction(executor: CommandExecutor): (envelope: commonV1.EventEnvelope) => Promise<void> {
  return async (envelope) => {
    const command = commandFor(envelope);
    if (command === undefined) return;
    await executor.executeAcross(
      async (load) => {
        const reservation = await load(reservationAggregate, command.data.orderId);
        const ids = productsInvolved(command, reservation);
        const products = new Map<string, ProductState>(
          await Promise.all(ids.map(async (id) => [id, await load(productAggregate, id)] as const)),
        );
        const decision = decideReservation(command, reservation, products);
        return [
          { aggregate: reservationAggregate, aggregateId: command.data.orderId, events: decision.reservation },
          ...[...decision.products].map(([productId, events]) => ({ aggregate: productAggregate, aggregateId: productId, events })),
        ] as StreamWrite<unknown>[];
      },
      { metadata: reactionMetadata(envelope, STOCK_RESERVATION_REACTION.name), now: new Date() },
    );
  };
}

function commandFor(envelope: commonV1.EventEnvelope): ReservationCommand | undefined {
  switch (envelope.eventType) {
    case 'orders.v1.OrderPlaced': {
      const { orderId, lines } = decodeClamped(ordersV1.OrderPlaced, envelope.payload);
      return { type: 'ReserveForOrder', data: { orderId, lines: lines.map(({ productId, quantity }) => ({ productId, quantity })) } };
    }
    case 'orders.v1.OrderCancelled':
      return { type: 'ReleaseForOrder', data: { orderId: envelope.aggregateId } };
    case 'orders.v1.OrderServed':
      return { type: 'ConsumeForOrder', data: { orderId: envelope.aggregateId } };
    default:
      return undefined;
  }
}
