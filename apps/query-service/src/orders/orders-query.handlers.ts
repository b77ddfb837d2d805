import { ordersV1 } from '@cqrs/contracts';
import { ORDER_STREAM_TYPE, toOrderView, type OrderStatusName, type OrderViewDocument } from '@cqrs/orders-read-model';
import { IllegalStateError, NotFoundError, ValidationError, type FieldViolation } from '@cqrs/errors';
import { serverStream, unary, type ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { requirementOf, waitForView, waitUntil } from '../consistency/read-consistency';
import type { ViewChanges } from '../consistency/view-changes';
import type { WatchStreams } from '../consistency/watch-streams';
import { MAX_PAGE_SIZE, pageSizeOf } from '../paging/page-token';
import { checkShape } from '../requests/query-shape';
import type { OrderListFilter, OrderQueries } from './order-queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Most kitchen-queue orders a new WatchOrders stream is sent before the changes. */
const WATCH_QUEUE_LIMIT = 1_000;

export interface OrdersQueryOptions {
  /** Longest wait (read-your-writes, or until decided), whatever the caller's deadline. */
  readonly maxWaitMs: number;
}

/** orders.v1.QueryService over the order views. */
export function ordersQueryHandlers(
  queries: OrderQueries,
  changes: ViewChanges,
  watches: WatchStreams,
  logger: Logger,
  options: OrdersQueryOptions,
): ServiceHandlers<ordersV1.QueryServiceServer> {
  return {
    getOrder: unary(logger, async (request: ordersV1.GetOrderRequest, context) => {
      checkShape(request);
      checkOrderId(request.orderId);
      const orderId = request.orderId.toLowerCase();
      const requirement = requirementOf(request.consistency, ORDER_STREAM_TYPE, orderId);
      await waitForView(requirement, () => queries.version(requirement?.aggregateId ?? orderId), changes, context, options.maxWaitMs);
      let view = await queries.get(orderId);
      if (request.waitUntilDecided) {
        const decided = await waitUntil(
          { streamType: ORDER_STREAM_TYPE, aggregateId: orderId },
          async () => isDecided((view = await queries.get(orderId))),
          changes,
          context,
          options.maxWaitMs,
        );
        if (!decided && view !== undefined) throw undecided(view, changes.live);
      }
      if (view === undefined) throw new NotFoundError('order', orderId);
      return { order: toOrderView(view) };
    }),

    listOrders: unary(logger, async (request: ordersV1.ListOrdersRequest, context) => {
      checkShape(request);
      const pageSize = pageSizeOf(request.pageSize);
      const filter = listFilterOf(request);
      const requirement = requirementOf(request.consistency, ORDER_STREAM_TYPE);
      await waitForView(requirement, () => queries.version(requirement?.aggregateId ?? ''), changes, context, options.maxWaitMs);
      const page = await queries.list(filter, request.pageToken, pageSize);
      return { orders: page.orders.map(toOrderView), nextPageToken: page.nextPageToken };
    }),

    getKitchenQueue: unary(logger, async (request: ordersV1.GetKitchenQueueRequest) => {
      checkShape(request);
      const page = await queries.kitchenQueue(request.pageToken, pageSizeOf(request.pageSize));
      return { orders: page.orders.map(toOrderView), nextPageToken: page.nextPageToken };
    }),

    watchOrders: serverStream(logger, (request: ordersV1.WatchOrdersRequest, send, context) =>
      watches.run(async () => {
        // Subscribed before the queue is read, so no change falls between the two; while the
        // stream sends, the subscription holds each changed order once, at its latest version.
        const notifications = changes.subscribe({ streamType: ORDER_STREAM_TYPE }, context.signal);
        const read = <T>(query: () => Promise<T>) => watches.read(context.signal, query);
        const sent = new Map<string, number>();
        // How many events the view holds (not how often it was written: a rebuild writes it afresh).
        const applied = (view: OrderViewDocument) => view.version + Object.values(view.sourceVersions ?? {}).reduce((sum, v) => sum + v, 0);
        const sendIfNewer = async (view: OrderViewDocument) => {
          if ((sent.get(view._id) ?? -1) >= applied(view)) return;
          sent.set(view._id, applied(view));
          await send({ order: toOrderView(view) });
        };
        try {
          if (request.includeKitchenQueue) {
            let token = '';
            let count = 0;
            do {
              const page = await read(() => queries.kitchenQueue(token, MAX_PAGE_SIZE));
              for (const view of page.orders) await sendIfNewer(view);
              count += page.orders.length;
              token = page.nextPageToken;
            } while (token !== '' && count < WATCH_QUEUE_LIMIT);
          }
          for await (const { aggregateId } of notifications) {
            const view = await read(() => queries.get(aggregateId));
            if (view !== undefined) await sendIfNewer(view);
          }
        } finally {
          void notifications.return();
        }
      }),
    ),
  };
}

const STATUS_NAMES: Record<number, OrderStatusName | undefined> = {
  [ordersV1.OrderStatus.ORDER_STATUS_PLACED]: 'PLACED',
  [ordersV1.OrderStatus.ORDER_STATUS_CONFIRMED]: 'CONFIRMED',
  [ordersV1.OrderStatus.ORDER_STATUS_REJECTED]: 'REJECTED',
  [ordersV1.OrderStatus.ORDER_STATUS_PREPARING]: 'PREPARING',
  [ordersV1.OrderStatus.ORDER_STATUS_READY]: 'READY',
  [ordersV1.OrderStatus.ORDER_STATUS_SERVED]: 'SERVED',
  [ordersV1.OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
};

function listFilterOf(request: ordersV1.ListOrdersRequest): OrderListFilter {
  const violations: FieldViolation[] = [];
  const status = STATUS_NAMES[request.status];
  if (request.status !== ordersV1.OrderStatus.ORDER_STATUS_UNSPECIFIED && status === undefined)
    violations.push({ field: 'status', description: 'is not a known order status' });
  const { table, customer } = request.reference ?? {};
  if (request.reference !== undefined && (table ?? customer ?? '').trim() === '')
    violations.push({ field: 'reference', description: 'must name a table or a customer when set' });
  if (violations.length > 0) throw new ValidationError(violations);
  return {
    ...(status !== undefined ? { status } : {}),
    ...(request.reference !== undefined
      ? { reference: table !== undefined ? { table: table.trim() } : { customer: (customer ?? '').trim() } }
      : {}),
  };
}

/** Decided: the catalog's reservation has an outcome and the order took it (or was cancelled meanwhile). */
function isDecided(view: OrderViewDocument | undefined): boolean {
  return view !== undefined && view.status !== 'PLACED';
}

function undecided(view: OrderViewDocument, live: boolean): IllegalStateError {
  return new IllegalStateError(
    `order ${view._id} is still placed, not yet confirmed or rejected` +
      (live ? '; retry, or allow a longer deadline' : '; the view-change notifications are unavailable, so this read cannot wait'),
    { reason: 'ORDER_NOT_DECIDED', metadata: { order_id: view._id, status: view.status, notifications: live ? 'up' : 'down' } },
  );
}

function checkOrderId(orderId: string): void {
  if (!UUID.test(orderId)) throw new ValidationError([{ field: 'order_id', description: 'must be a UUID' }]);
}
