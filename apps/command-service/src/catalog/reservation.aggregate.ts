import { reservationEvolver, type ReservationEvent, type ReservationState } from '@cqrs/catalog-domain';
import type { LoadableAggregate } from '@cqrs/write-store';
import { reservationCodec } from './reservation.codec';

export const RESERVATION_STREAM_TYPE = 'catalog.reservation';

/** The stock reservation of one order (id = the order id); decided together with its products. */
export const reservationAggregate: LoadableAggregate<ReservationState, ReservationEvent> = {
  streamType: RESERVATION_STREAM_TYPE,
  decider: reservationEvolver,
  codec: reservationCodec,
};
