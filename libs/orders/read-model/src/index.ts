export { applyOrderEvent, ORDER_STREAM_TYPE, parkedOrder, referenceKeyOf, RESERVATION_STREAM_TYPE, toOrderView } from './order-view';
export type { OrderLineDocument, OrderStatusName, OrderViewDocument, StockStatusName } from './order-view';
export { KITCHEN_STATUSES, ORDERS_COLLECTION, ordersProjection, statusKeyPrefix } from './orders.projection';
