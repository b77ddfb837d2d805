import type { Collection, Db, Filter, Sort } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import { PRODUCT_POSTINGS_COLLECTION, productsProjection, type ProductPosting, type ProductViewDocument } from '@cqrs/catalog-read-model';
import type { ViewCatalog } from '@cqrs/projections';
import { viewStoreCall } from '@cqrs/view-store';
import { ValidationError } from '@cqrs/errors';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token';

export interface Page {
  readonly products: ProductViewDocument[];
  readonly nextPageToken: string;
}

const SORT_FIELDS: Record<number, { field: string; key: (doc: ProductViewDocument) => string | number }> = {
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_UNSPECIFIED]: { field: 'nameKey', key: (d) => d.nameKey },
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_NAME]: { field: 'nameKey', key: (d) => d.nameKey },
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE]: { field: 'price.amountMinor', key: (d) => d.price.amountMinor },
  [catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_CREATED_AT]: { field: 'createdAt', key: (d) => d.createdAt.getTime() },
};

/**
 * Reads of the product views. Pages are keyset cursors on (sort key, id): a page starts strictly
 * after the last item of the previous one, so no item is repeated or skipped when products are
 * added meanwhile (an item whose sort key changes while you page may move across the cursor).
 */
export class ProductQueries {
  constructor(
    private readonly db: Db,
    private readonly catalog: ViewCatalog,
  ) {}

  get(productId: string): Promise<ProductViewDocument | undefined> {
    return viewStoreCall(async () => (await (await this.collections()).products.findOne({ _id: productId })) ?? undefined);
  }

  version(productId: string): Promise<number> {
    return viewStoreCall(async () => (await (await this.collections()).products.findOne({ _id: productId }, { projection: { version: 1 } }))?.version ?? 0);
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
    const sort = SORT_FIELDS[request.orderBy];
    if (sort === undefined) throw new ValidationError([{ field: 'order_by', description: 'is not a known ordering' }]);
    const filter: Filter<ProductViewDocument> = { deleted: false, ...this.priceFilter(request.filter), ...(request.filter?.inStockOnly ? { inStock: true } : {}) };
    const query = queryFingerprint(['list', request.orderBy, request.descending, request.filter ?? null]);
    const cursor = decodePageToken(request.pageToken, query);
    const dir = request.descending ? -1 : 1;
    const after = request.descending ? '$lt' : '$gt';
    const keyset: Filter<ProductViewDocument> =
      cursor === undefined
        ? {}
        : {
            $or: [
              { [sort.field]: { [after]: sort.field === 'createdAt' ? new Date(Number(cursor.key)) : cursor.key } },
              { [sort.field]: sort.field === 'createdAt' ? new Date(Number(cursor.key)) : cursor.key, _id: { [after]: cursor.id } },
            ],
          } as Filter<ProductViewDocument>;
    const { products: collection } = await this.collections();
    const found = await collection
      .find({ ...filter, ...keyset })
      .sort({ [sort.field]: dir, _id: dir } as Sort)
      .limit(pageSize + 1)
      .toArray();
    const products = found.slice(0, pageSize);
    const last = products[products.length - 1];
    const nextPageToken = found.length > pageSize && last !== undefined ? encodePageToken({ query, key: sort.key(last), id: last._id }) : '';
    return { products, nextPageToken };
  }

  /**
   * Products whose name or description has every query token as a word or word prefix, in name
   * order. Candidates come from the postings of the first token (an equality lookup), and each is
   * checked against its view, so a posting left behind by a rename is never returned.
   */
  private async searchPage(tokens: readonly string[], pageToken: string, pageSize: number): Promise<Page> {
    const [first] = tokens;
    if (first === undefined) return { products: [], nextPageToken: '' };
    const query = queryFingerprint(['search', tokens]);
    let cursor = decodePageToken(pageToken, query);
    const { postings } = await this.collections();
    const products: ProductViewDocument[] = [];
    let exhausted = false;
    while (products.length < pageSize + 1 && !exhausted) {
      const keyset = cursor === undefined ? {} : { $or: [{ nameKey: { $gt: String(cursor.key) } }, { nameKey: String(cursor.key), productId: { $gt: cursor.id } }] };
      const batch = await postings
        .find({ token: first, ...keyset })
        .sort({ nameKey: 1, productId: 1 })
        .limit(pageSize * 2)
        .toArray();
      exhausted = batch.length < pageSize * 2;
      const views = await Promise.all(batch.map((posting) => this.get(posting.productId)));
      batch.forEach((posting, i) => {
        const view = views[i];
        if (view !== undefined && !view.deleted && view.nameKey === posting.nameKey && tokens.every((t) => view.tokens.includes(t))) products.push(view);
      });
      const lastPosting = batch[batch.length - 1];
      if (lastPosting !== undefined) cursor = { query, key: lastPosting.nameKey, id: lastPosting.productId };
    }
    const page = products.slice(0, pageSize);
    const last = page[page.length - 1];
    return { products: page, nextPageToken: products.length > pageSize && last !== undefined ? encodePageToken({ query, key: last.nameKey, id: last._id }) : '' };
  }

  private priceFilter(filter: catalogV1.ProductFilter | undefined): Filter<ProductViewDocument> {
    const { minPrice, maxPrice } = filter ?? {};
    if (minPrice === undefined && maxPrice === undefined) return {};
    const currency = minPrice?.currencyCode ?? maxPrice?.currencyCode ?? '';
    if (minPrice !== undefined && maxPrice !== undefined && minPrice.currencyCode !== maxPrice.currencyCode) {
      throw new ValidationError([{ field: 'filter.max_price.currency_code', description: 'must be the currency of filter.min_price' }]);
    }
    return {
      'price.currencyCode': currency,
      'price.amountMinor': { ...(minPrice !== undefined ? { $gte: minPrice.amountMinor } : {}), ...(maxPrice !== undefined ? { $lte: maxPrice.amountMinor } : {}) },
    } as Filter<ProductViewDocument>;
  }
}
