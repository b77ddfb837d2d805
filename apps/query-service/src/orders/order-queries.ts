import {
  KITCHEN_STATUSES,
  ordersProjection,
  referenceKeyOf,
  statusKeyPrefix,
  type OrderStatusName,
  type OrderViewDocument,
} from '@cqrs/orders-read-model';
import { orderOf, type OrderKey, type OrderPosition, type ViewCollection, type ViewStore } from '@cqrs/projection';
import type { ViewCatalog } from '@cqrs/projections';
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

/** Sorts after every placing time that can follow a key prefix. */
const PREFIX_END = '\uffff';

/**
 * Reads of the order views through the view store. A filter by status or by reference reads only
 * that key range of its order, newest first.
 */
export class OrderQueries {
  private readonly collections = new Map<string, ViewCollection<OrderViewDocument>>();

  constructor(
    private readonly store: ViewStore,
    private readonly catalog: ViewCatalog,
  ) {}

  /** The order's view once it is placed; undefined before. */
  get(orderId: string): Promise<OrderViewDocument | undefined> {
    return viewStoreCall(async () => {
      const view = await (await this.collection()).get(orderId);
      return view?.placed === true ? view : undefined;
    });
  }

  version(orderId: string): Promise<number> {
    return viewStoreCall(async () => (await (await this.collection()).get(orderId))?.version ?? 0);
  }

  list(filter: OrderListFilter, pageToken: string, pageSize: number): Promise<OrderPage> {
    return viewStoreCall(async () => {
      const referenceKey = filter.reference === undefined ? undefined : referenceKeyOf(filter.reference);
      // The narrower key range first: a reference holds few orders, a status may hold many.
      const [order, prefix] =
        referenceKey !== undefined
          ? ['reference', statusKeyPrefix(referenceKey)]
          : filter.status !== undefined
            ? ['status', statusKeyPrefix(filter.status)]
            : ['placed', undefined];
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
      this.page('kitchen', queryFingerprint(['kitchen']), pageToken, pageSize, {
        descending: false,
        accept: (view) => KITCHEN_STATUSES.includes(view.status),
      }),
    );
  }

  private async page(
    orderName: string,
    query: string,
    pageToken: string,
    pageSize: number,
    range: { descending: boolean; accept: (view: OrderViewDocument) => boolean; start?: OrderKey; end?: OrderKey },
  ): Promise<OrderPage> {
    const cursor = decodePageToken(pageToken, query);
    const after = positionOf(cursor) ?? (range.start === undefined ? undefined : { key: range.start, inclusive: true });
    const scan = await (
      await this.collection()
    ).list({
      order: orderName,
      ...(after !== undefined ? { after } : {}),
      ...(range.end !== undefined ? { end: range.end } : {}),
      descending: range.descending,
      want: pageSize + 1,
      accept: range.accept,
    });
    const order = orderOf(ordersProjection, orderName);
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

  /** The collection in use now (a rebuild swaps it while queries keep being answered). */
  private async collection(): Promise<ViewCollection<OrderViewDocument>> {
    const { collection } = await this.catalog.active(ordersProjection);
    let views = this.collections.get(collection);
    if (views === undefined) {
      views = this.store.collection(ordersProjection, collection);
      this.collections.set(collection, views);
    }
    return views;
  }
}

function positionOf(cursor: PageCursor | undefined): OrderPosition | undefined {
  return cursor === undefined ? undefined : { key: [cursor.key, cursor.id], inclusive: cursor.inclusive };
}
