import type { commonV1 } from '@cqrs/contracts';
import type { OrderKey, Projection } from '@cqrs/projection';
import {
  applyOrderEvent,
  ORDER_STREAM_TYPE,
  parkedOrder,
  RESERVATION_STREAM_TYPE,
  type OrderStatusName,
  type OrderViewDocument,
} from './order-view';

export const ORDERS_COLLECTION = 'orders';

const placedAt = (view: OrderViewDocument) => view.timestamps.placedAt?.toISOString() ?? '';
const placed = (view: OrderViewDocument, key: string): OrderKey | undefined => (view.placed ? [key, view._id] : undefined);
export const KITCHEN_STATUSES: readonly OrderStatusName[] = ['CONFIRMED', 'PREPARING'];

/** The key prefix of a status (or reference) in the orders filed by status (or reference) and placing time. */
export const statusKeyPrefix = (status: string) => `${status}|`;

/**
 * The order views: fed by the order's events and by the catalog's reservation events for it
 * (two sources, each with its version per view). Listed by placing time, by status then placing time, by table or customer then placing time, and
 * the kitchen queue (confirmed and preparing, by confirmation time).
 */
export const ordersProjection: Projection<OrderViewDocument, commonV1.EventEnvelope> = {
  name: 'orders-orders',
  streamType: ORDER_STREAM_TYPE,
  sources: [RESERVATION_STREAM_TYPE],
  collection: ORDERS_COLLECTION,
  indexes: [],
  orders: [
    { name: 'placed', key: (view) => placed(view, placedAt(view)) },
    { name: 'status', key: (view) => placed(view, `${statusKeyPrefix(view.status)}${placedAt(view)}`) },
    { name: 'reference', key: (view) => placed(view, `${statusKeyPrefix(view.referenceKey)}${placedAt(view)}`) },
    {
      name: 'kitchen',
      key: (view): OrderKey | undefined =>
        view.placed && KITCHEN_STATUSES.includes(view.status) ? [view.timestamps.confirmedAt?.toISOString() ?? '', view._id] : undefined,
    },
  ],
  apply: applyOrderEvent,
  parked: parkedOrder,
};
