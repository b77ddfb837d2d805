import {
  applyOrderEvent,
  ORDER_STREAM_TYPE,
  parkedOrder,
  RESERVATION_STREAM_TYPE,
  type OrderStatusName,
  type OrderViewDocument,
} from './order-view';

export const ORDERS_COLLECTION = 'orders';

type OrderKey = readonly [string | number, string];
const placedAt = (view: OrderViewDocument) => view.timestamps.placedAt?.toISOString() ?? '';
const placed = (view: OrderViewDocument, key: string): OrderKey | undefined => (view.placed ? [key, view._id] : undefined);
export const KITCHEN_STATUSES: readonly OrderStatusName[] = ['CONFIRMED', 'PREPARING'];

/** The key prefix of a status (or reference) in the orders filed by status (or reference) and placing time. */
export const statusKeyPrefix = (status: string) => `${status}|`;

/**
 * The order views: fed by the order's events and by the catalog's reservation events for it
 * (two sources, each with its version per view). Filed in ordered buckets for the lists:
 * by placing time, by status then placing time, by table or customer then placing time, and
 * the kitchen queue (confirmed and preparing, by confirmation time).
 */
export const ordersProjection = {
  name: 'orders-orders',
  streamType: ORDER_STREAM_TYPE,
  sources: [RESERVATION_STREAM_TYPE],
  collection: ORDERS_COLLECTION,
  indexes: [
    { key: { placedBucket: 1 }, name: 'by_placed_bucket' },
    { key: { statusBucket: 1 }, name: 'by_status_bucket' },
    { key: { referenceBucket: 1 }, name: 'by_reference_bucket' },
    { key: { kitchenBucket: 1 }, name: 'by_kitchen_bucket' },
  ],
  orders: [
    { name: 'placed', field: 'placedBucket', key: (view: OrderViewDocument) => placed(view, placedAt(view)) },
    {
      name: 'status',
      field: 'statusBucket',
      key: (view: OrderViewDocument) => placed(view, `${statusKeyPrefix(view.status)}${placedAt(view)}`),
    },
    {
      name: 'reference',
      field: 'referenceBucket',
      key: (view: OrderViewDocument) => placed(view, `${statusKeyPrefix(view.referenceKey)}${placedAt(view)}`),
    },
    {
      name: 'kitchen',
      field: 'kitchenBucket',
      key: (view: OrderViewDocument): OrderKey | undefined =>
        view.placed && KITCHEN_STATUSES.includes(view.status) ? [view.timestamps.confirmedAt?.toISOString() ?? '', view._id] : undefined,
    },
  ],
  apply: applyOrderEvent,
  parked: parkedOrder,
} as const;
