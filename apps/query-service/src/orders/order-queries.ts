import type { Collection, Db } from 'mongodb';
import {
  KITCHEN_STATUSES,
  ordersProjection,
  referenceKeyOf,
  statusKeyPrefix,
  type OrderStatusName,
  type OrderViewDocument,
} from '@cqrs/orders-read-model';
import { scanInOrder, type OrderKey, type OrderPosition, type ViewCatalog } from '@cqrs/projections';
import { viewStoreCall } from '@cqrs/view-store';
import { decodePageToken, encodePageToken, queryFingerprint, type PageCursor } from '../paging/page-token';

export interface OrderPage {
  readonly orders: OrderViewDocument[];
  readonly nextPageToken: string;
}

export interface OrderListFilter {
  readonly status?: OrderStatusName;
  readonly reference?: { readonly table?: string | undefined; readonly customer?: string | undefined };
}

type OrdersOrder = (typeof ordersProjection.orders)[number];
const MAX_BUCKETS_PER_CALL = 32;
/** Sorts after every placing time that can follow a key prefix. */
const PREFIX_END = '\uffff';

function orderNamed(name: string): OrdersOrder {
  const order = ordersProjection.orders.find((o) => o.name === name);
  if (order === undefined) throw new Error(`no order ${name}`);
  return order;
}

/**
 * Reads of the order views. Lists page through ordered buckets (equality lookups only): a
 * filter by status or by reference reads only that key range of its order, newest first.
 */
export class OrderQueries {
  constructor(
    private readonly db: Db,
    private readonly catalog: ViewCatalog,
  ) {}

  /** The order's view once it is placed; undefined before. */
  get(orderId: string): Promise<OrderViewDocument | undefined> {
    return viewStoreCall(async () => {
      const view = await (await this.collection()).findOne({ _id: orderId });
      return view?.placed === true ? view : undefined;
    });
  }

  version(orderId: string): Promise<number> {
    return viewStoreCall(
      async () => (await (await this.collection()).findOne({ _id: orderId }, { projection: { version: 1 } }))?.version ?? 0,
    );
  }

  list(filter: OrderListFilter, pageToken: string, pageSize: number): Promise<OrderPage> {
    return viewStoreCall(async () => {
      const referenceKey = filter.reference === undefined ? undefined : referenceKeyOf(filter.reference);
      // The narrower key range first: a reference holds few orders, a status may hold many.
      const [order, prefix] =
        referenceKey !== undefined
          ? [orderNamed('reference'), statusKeyPrefix(referenceKey)]
          : filter.status !== undefined
            ? [orderNamed('status'), statusKeyPrefix(filter.status)]
            : [orderNamed('placed'), undefined];
      const accept = (view: OrderViewDocument) =>
        (filter.status === undefined || view.status === filter.status) &&
        (referenceKey === undefined || view.referenceKey === referenceKey);
      const query = queryFingerprint(['orders', filter.status ?? null, referenceKey ?? null]);
      return this.page(order, query, pageToken, pageSize, {
        descending: true,
        accept,
        ...(prefix !== undefined ? { start: [`${prefix}${PREFIX_END}`, ''] as OrderKey, end: [prefix, ''] as OrderKey } : {}),
      });
    });
  }

  /** Confirmed and preparing orders, oldest confirmation first. */
  kitchenQueue(pageToken: string, pageSize: number): Promise<OrderPage> {
    return viewStoreCall(() =>
      this.page(orderNamed('kitchen'), queryFingerprint(['kitchen']), pageToken, pageSize, {
        descending: false,
        accept: (view) => KITCHEN_STATUSES.includes(view.status),
      }),
    );
  }

  private async page(
    order: OrdersOrder,
    query: string,
    pageToken: string,
    pageSize: number,
    range: { descending: boolean; accept: (view: OrderViewDocument) => boolean; start?: OrderKey; end?: OrderKey },
  ): Promise<OrderPage> {
    const cursor = decodePageToken(pageToken, query);
    const after = positionOf(cursor) ?? (range.start === undefined ? undefined : { key: range.start, inclusive: true });
    const scan = await scanInOrder<OrderViewDocument>(this.db, (await this.collection()).collectionName, {
      order,
      ...(after !== undefined ? { after } : {}),
      ...(range.end !== undefined ? { end: range.end } : {}),
      descending: range.descending,
      want: pageSize + 1,
      accept: range.accept,
      maxBuckets: MAX_BUCKETS_PER_CALL,
    });
    const orders = scan.views.slice(0, pageSize);
    const lastKey = orders.length === 0 ? undefined : order.key(orders[orders.length - 1] as OrderViewDocument);
    if (scan.views.length > pageSize && lastKey !== undefined)
      return { orders, nextPageToken: encodePageToken({ query, key: lastKey[0], id: lastKey[1] }) };
    if (scan.resume !== undefined)
      return {
        orders,
        nextPageToken: encodePageToken({ query, key: scan.resume.key[0], id: scan.resume.key[1], inclusive: scan.resume.inclusive }),
      };
    return { orders, nextPageToken: '' };
  }

  private async collection(): Promise<Collection<OrderViewDocument>> {
    return this.db.collection<OrderViewDocument>((await this.catalog.active(ordersProjection)).collection);
  }
}

function positionOf(cursor: PageCursor | undefined): OrderPosition | undefined {
  return cursor === undefined ? undefined : { key: [cursor.key, cursor.id], inclusive: cursor.inclusive };
}
