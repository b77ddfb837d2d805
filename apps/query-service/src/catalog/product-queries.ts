import type { Collection, Db } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import {
  PRODUCT_POSTINGS_COLLECTION,
  productsProjection,
  SEARCH_SAMPLE_RATE,
  type ProductPosting,
  type ProductViewDocument,
} from '@cqrs/catalog-read-model';
import { compareKeys, isBeyond, scanInOrder, type OrderPosition, type ViewCatalog } from '@cqrs/projections';
import { viewStoreCall } from '@cqrs/view-store';
import { ValidationError } from '@cqrs/errors';
import { decodePageToken, encodePageToken, queryFingerprint, type PageCursor } from '../paging/page-token';

export interface Page {
  readonly products: ProductViewDocument[];
  readonly nextPageToken: string;
}

type ProductOrder = (typeof productsProjection.orders)[number];

const ORDERS: Record<number, ProductOrder | undefined> = {
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_UNSPECIFIED]: orderNamed('name'),
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_NAME]: orderNamed('name'),
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE]: orderNamed('price'),
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_CREATED_AT]: orderNamed('created'),
};
const CREATED = orderNamed('created');

const DEFAULT_SEARCH_SCAN_FROM_POSTINGS = 2_048;
const DEFAULT_MAX_BUCKETS_PER_CALL = 32;

export interface ProductQueriesOptions {
  /** A search whose rarest token has about this many postings or more scans the creation order instead. */
  readonly searchScanFromPostings?: number;
  /** Most buckets one call reads before it answers a short page with a token to go on (sparse filters). */
  readonly maxBucketsPerCall?: number;
}

function orderNamed(name: string): ProductOrder {
  const order = productsProjection.orders.find((o) => o.name === name);
  if (order === undefined) throw new Error(`no order ${name}`);
  return order;
}

export class ProductQueries {
  constructor(
    private readonly db: Db,
    private readonly catalog: ViewCatalog,
    private readonly options: ProductQueriesOptions = {},
  ) {}

  get(productId: string): Promise<ProductViewDocument | undefined> {
    return viewStoreCall(async () => (await (await this.collections()).products.findOne({ _id: productId })) ?? undefined);
  }

  version(productId: string): Promise<number> {
    return viewStoreCall(
      async () => (await (await this.collections()).products.findOne({ _id: productId }, { projection: { version: 1 } }))?.version ?? 0,
    );
  }

  /** The collections in use now (a rebuild swaps them while queries keep being answered). */
  private async collections(): Promise<{ products: Collection<ProductViewDocument>; postings: Collection<ProductPosting> }> {
    const active = await this.catalog.active(productsProjection);
    return {
      products: this.db.collection<ProductViewDocument>(active.collection),
      postings: this.db.collection<ProductPosting>(active.derivedCollection ?? PRODUCT_POSTINGS_COLLECTION),
    };
  }

  list(request: catalogV1.ListProductsRequest, pageSize: number): Promise<Page> {
    return viewStoreCall(() => this.listPage(request, pageSize));
  }

  search(tokens: readonly string[], pageToken: string, pageSize: number): Promise<Page> {
    return viewStoreCall(() => this.searchPage(tokens, pageToken, pageSize));
  }

  private async listPage(request: catalogV1.ListProductsRequest, pageSize: number): Promise<Page> {
    const order = ORDERS[request.orderBy];
    if (order === undefined) throw new ValidationError([{ field: 'order_by', description: 'is not a known ordering' }]);
    const accept = this.listFilter(request.filter);
    const query = queryFingerprint(['list', request.orderBy, request.descending, request.filter ?? null]);
    const cursor = decodePageToken(request.pageToken, query);
    const { products: collection } = await this.collections();
    const scan = await scanInOrder<ProductViewDocument>(this.db, collection.collectionName, {
      order,
      after: positionOf(cursor),
      descending: request.descending,
      want: pageSize + 1,
      accept,
      maxBuckets: this.options.maxBucketsPerCall ?? DEFAULT_MAX_BUCKETS_PER_CALL,
    });
    return this.pageOf(scan.views, pageSize, order, query, scan.resume);
  }

  /**
   * Products whose name or description has every query token as a word or word prefix, in
   * creation order. The rarest token decides the way: through its postings (an equality lookup)
   * when it has few, or by scanning the creation order when it is common enough for matches to
   * come quickly; either costs the same at any catalog size. How common a token is comes from
   * the sampled postings (one product in SEARCH_SAMPLE_RATE carries them).
   */
  private async searchPage(tokens: readonly string[], pageToken: string, pageSize: number): Promise<Page> {
    if (tokens.length === 0) return { products: [], nextPageToken: '' };
    const query = queryFingerprint(['search', tokens]);
    const cursor = decodePageToken(pageToken, query);
    const { products: collection, postings } = await this.collections();
    const scanFrom = this.options.searchScanFromPostings ?? DEFAULT_SEARCH_SCAN_FROM_POSTINGS;
    // Counting stops where a token is common enough to scan for: FerretDB stops decoding there.
    const enough = Math.ceil(scanFrom / SEARCH_SAMPLE_RATE) + 1;
    const estimates = await Promise.all(
      tokens.map(async (token) => ({
        token,
        postings:
          (
            await postings
              .find({ sampleToken: token }, { projection: { _id: 1 } })
              .limit(enough)
              .toArray()
          ).length * SEARCH_SAMPLE_RATE,
      })),
    );
    const rarest = estimates.reduce((a, b) => (b.postings < a.postings ? b : a));
    const matches = (view: ProductViewDocument) => !view.deleted && tokens.every((t) => view.tokens.includes(t));
    if (rarest.postings >= scanFrom) {
      const scan = await scanInOrder<ProductViewDocument>(this.db, collection.collectionName, {
        order: CREATED,
        after: positionOf(cursor),
        want: pageSize + 1,
        accept: matches,
        maxBuckets: this.options.maxBucketsPerCall ?? DEFAULT_MAX_BUCKETS_PER_CALL,
      });
      return this.pageOf(scan.views, pageSize, CREATED, query, scan.resume);
    }
    const after = positionOf(cursor);
    const candidates = (await postings.find({ token: rarest.token }, { projection: { productId: 1, createdAt: 1 } }).toArray())
      .map((posting) => ({ id: posting.productId, key: [posting.createdAt, posting.productId] as const }))
      .filter((c) => isBeyond(c.key, after, false))
      .sort((a, b) => compareKeys(a.key, b.key));
    const found: ProductViewDocument[] = [];
    for (let start = 0; start < candidates.length && found.length <= pageSize; start += pageSize + 1) {
      const views = await Promise.all(candidates.slice(start, start + pageSize + 1).map((c) => collection.findOne({ _id: c.id })));
      for (const view of views) if (view !== null && matches(view)) found.push(view);
    }
    return this.pageOf(found, pageSize, CREATED, query);
  }

  /** The first `pageSize` views, and a token after the last one when there is more (or where a short scan stopped). */
  private pageOf(
    views: readonly ProductViewDocument[],
    pageSize: number,
    order: ProductOrder,
    query: string,
    resume?: OrderPosition,
  ): Page {
    const products = views.slice(0, pageSize);
    const last = products[products.length - 1];
    const lastKey = last === undefined ? undefined : order.key(last);
    if (views.length > pageSize && lastKey !== undefined)
      return { products, nextPageToken: encodePageToken({ query, key: lastKey[0], id: lastKey[1] }) };
    if (resume !== undefined)
      return { products, nextPageToken: encodePageToken({ query, key: resume.key[0], id: resume.key[1], inclusive: resume.inclusive }) };
    return { products, nextPageToken: '' };
  }

  /** Price range (one currency) and in-stock filters, checked on each view a scan reads. */
  private listFilter(filter: catalogV1.ProductFilter | undefined): (view: ProductViewDocument) => boolean {
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
}

function positionOf(cursor: PageCursor | undefined): OrderPosition | undefined {
  return cursor === undefined ? undefined : { key: [cursor.key, cursor.id], inclusive: cursor.inclusive };
}
