import { catalogV1 } from '@cqrs/contracts';
import { productsProjection, type ProductViewDocument } from '@cqrs/catalog-read-model';
import { orderOf, type ListOrder, type ListResult, type OrderPosition, type ViewCollection, type ViewStore } from '@cqrs/projection';
import type { ViewCatalog } from '@cqrs/projections';
import { viewStoreCall } from '@cqrs/view-store';
import { ValidationError } from '@cqrs/errors';
import { decodePageToken, encodePageToken, queryFingerprint, type PageCursor } from '../paging/page-token';

export interface Page {
  readonly products: ProductViewDocument[];
  readonly nextPageToken: string;
}

const ORDERS: Record<number, string | undefined> = {
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_UNSPECIFIED]: 'name',
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_NAME]: 'name',
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE]: 'price',
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_CREATED_AT]: 'created',
};

/** Reads of the product views through the view store: one view, a list page in an order, a search page. */
export class ProductQueries {
  private readonly collections = new Map<string, ViewCollection<ProductViewDocument>>();

  constructor(
    private readonly store: ViewStore,
    private readonly catalog: ViewCatalog,
  ) {}

  get(productId: string): Promise<ProductViewDocument | undefined> {
    return viewStoreCall(async () => (await this.views()).get(productId));
  }

  async version(productId: string): Promise<number> {
    return (await this.get(productId))?.version ?? 0;
  }

  /** The collection in use now (a rebuild swaps it while queries keep being answered). */
  private async views(): Promise<ViewCollection<ProductViewDocument>> {
    const { collection } = await this.catalog.active(productsProjection);
    let views = this.collections.get(collection);
    if (views === undefined) {
      views = this.store.collection(productsProjection, collection);
      this.collections.set(collection, views);
    }
    return views;
  }

  list(request: catalogV1.ListProductsRequest, pageSize: number): Promise<Page> {
    return viewStoreCall(async () => {
      const name = ORDERS[request.orderBy];
      if (name === undefined) throw new ValidationError([{ field: 'order_by', description: 'is not a known ordering' }]);
      const accept = listFilter(request.filter);
      const query = queryFingerprint(['list', request.orderBy, request.descending, request.filter ?? null]);
      const after = positionOf(decodePageToken(request.pageToken, query));
      const result = await (
        await this.views()
      ).list({ order: name, ...(after !== undefined ? { after } : {}), descending: request.descending, want: pageSize + 1, accept });
      return pageOf(result, pageSize, orderOf(productsProjection, name), query);
    });
  }

  /** Products whose name or description has every query token as a word or word prefix, in creation order. */
  search(tokens: readonly string[], pageToken: string, pageSize: number): Promise<Page> {
    return viewStoreCall(async () => {
      if (tokens.length === 0) return { products: [], nextPageToken: '' };
      const query = queryFingerprint(['search', tokens]);
      const after = positionOf(decodePageToken(pageToken, query));
      const result = await (await this.views()).search({ tokens, ...(after !== undefined ? { after } : {}), want: pageSize + 1 });
      return pageOf(result, pageSize, orderOf(productsProjection, productsProjection.search?.order ?? 'created'), query);
    });
  }
}

/** The first `pageSize` views, and a token after the last one when there is more (or where a short read stopped). */
function pageOf(result: ListResult<ProductViewDocument>, pageSize: number, order: ListOrder<ProductViewDocument>, query: string): Page {
  const products = result.views.slice(0, pageSize);
  const last = products[products.length - 1];
  const lastKey = last === undefined ? undefined : order.key(last);
  if (result.views.length > pageSize && lastKey !== undefined)
    return { products, nextPageToken: encodePageToken({ query, key: lastKey[0], id: lastKey[1] }) };
  const resume = result.resume;
  if (resume !== undefined)
    return { products, nextPageToken: encodePageToken({ query, key: resume.key[0], id: resume.key[1], inclusive: resume.inclusive }) };
  return { products, nextPageToken: '' };
}

/** Price range (one currency) and in-stock filters, checked on each view a list reads. */
function listFilter(filter: catalogV1.ProductFilter | undefined): (view: ProductViewDocument) => boolean {
  const { minPrice, maxPrice, inStockOnly } = filter ?? {};
  if (minPrice !== undefined && maxPrice !== undefined && minPrice.currencyCode !== maxPrice.currencyCode) {
    throw new ValidationError([{ field: 'filter.max_price.currency_code', description: 'must be the currency of filter.min_price' }]);
  }
  const currency = minPrice?.currencyCode ?? maxPrice?.currencyCode;
  return (view) =>
    !view.deleted &&
    (inStockOnly !== true || view.inStock) &&
    (currency === undefined || view.price.currencyCode === currency) &&
    (minPrice === undefined || view.price.amountMinor >= minPrice.amountMinor) &&
    (maxPrice === undefined || view.price.amountMinor <= maxPrice.amountMinor);
}

function positionOf(cursor: PageCursor | undefined): OrderPosition | undefined {
  return cursor === undefined ? undefined : { key: [cursor.key, cursor.id], inclusive: cursor.inclusive };
}
