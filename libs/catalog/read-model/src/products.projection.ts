import { applyProductEvent, parkedProduct, type ProductViewDocument } from './product-view';
import { isSearchSample } from './search-sample';

export const PRODUCTS_COLLECTION = 'products';
export const PRODUCT_POSTINGS_COLLECTION = 'product_search_postings';

/** One search posting: a token pointing at a product, so a search is an equality lookup by token. */
export interface ProductPosting {
  readonly _id: string;
  readonly token: string;
  readonly productId: string;
  readonly nameKey: string;
  /** The product's creation time in milliseconds: search results come in creation order. */
  readonly createdAt: number;
  readonly version: number;
  /** The token again, on a sample of the products only: how many postings carry it estimates how common the token is. */
  readonly sampleToken?: string;
}

type OrderKey = readonly [string | number, string];
const listed = (view: ProductViewDocument, key: string | number): OrderKey | undefined => (view.deleted ? undefined : [key, view._id]);

/**
 * The product views, declared for the projection runtime: which events, how a view changes,
 * its indexes, and the search postings derived from each view.
 */
export const productsProjection = {
  name: 'catalog-products',
  streamType: 'catalog.product',
  collection: PRODUCTS_COLLECTION,
  indexes: [
    { key: { nameBucket: 1 }, name: 'by_name_bucket' },
    { key: { priceBucket: 1 }, name: 'by_price_bucket' },
    { key: { createdBucket: 1 }, name: 'by_created_bucket' },
    { key: { tokens: 1 }, name: 'by_token' },
  ],
  /** List orders, paged through ordered buckets (equality lookups only, so FerretDB v1 serves them from an index). */
  orders: [
    { name: 'name', field: 'nameBucket', key: (view: ProductViewDocument) => listed(view, view.nameKey) },
    { name: 'price', field: 'priceBucket', key: (view: ProductViewDocument) => listed(view, view.price.amountMinor) },
    { name: 'created', field: 'createdBucket', key: (view: ProductViewDocument) => listed(view, view.createdAt.getTime()) },
  ],
  apply: applyProductEvent,
  parked: parkedProduct,
  derived: {
    collection: PRODUCT_POSTINGS_COLLECTION,
    indexes: [
      { key: { token: 1, productId: 1 }, name: 'by_token_product' },
      { key: { productId: 1 }, name: 'by_product' },
      { key: { sampleToken: 1 }, name: 'by_sample_token' },
    ],
    /** Postings change only with the tokens, i.e. with the name or description. */
    changed: (before: ProductViewDocument | undefined, after: ProductViewDocument) =>
      before === undefined || before.nameKey !== after.nameKey || before.tokens.join(' ') !== after.tokens.join(' '),
    documents: (view: ProductViewDocument): ProductPosting[] =>
      view.tokens.map((token) => ({
        _id: `${token}|${view._id}`,
        token,
        productId: view._id,
        nameKey: view.nameKey,
        createdAt: view.createdAt.getTime(),
        version: view.version,
        ...(isSearchSample(view._id) ? { sampleToken: token } : {}),
      })),
  },
} as const;
