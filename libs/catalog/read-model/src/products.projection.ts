import { applyProductEvent, parkedProduct, type ProductViewDocument } from './product-view';

export const PRODUCTS_COLLECTION = 'products';
export const PRODUCT_POSTINGS_COLLECTION = 'product_search_postings';

/** One search posting: a token pointing at a product, so a search is an equality lookup by token. */
export interface ProductPosting {
  readonly _id: string;
  readonly token: string;
  readonly productId: string;
  readonly nameKey: string;
  readonly version: number;
}

/**
 * The product views, declared for the projection runtime: which events, how a view changes,
 * its indexes, and the search postings derived from each view.
 */
export const productsProjection = {
  name: 'catalog-products',
  streamType: 'catalog.product',
  collection: PRODUCTS_COLLECTION,
  indexes: [
    { key: { nameKey: 1, _id: 1 }, name: 'by_name' },
    { key: { 'price.amountMinor': 1, _id: 1 }, name: 'by_price' },
    { key: { createdAt: 1, _id: 1 }, name: 'by_created_at' },
    { key: { tokens: 1 }, name: 'by_token' },
  ],
  apply: applyProductEvent,
  parked: parkedProduct,
  derived: {
    collection: PRODUCT_POSTINGS_COLLECTION,
    indexes: [
      { key: { token: 1, productId: 1 }, name: 'by_token_product' },
      { key: { productId: 1 }, name: 'by_product' },
    ],
    /** Postings change only with the tokens, i.e. with the name or description. */
    changed: (before: ProductViewDocument | undefined, after: ProductViewDocument) =>
      before === undefined || before.nameKey !== after.nameKey || before.tokens.join(' ') !== after.tokens.join(' '),
    documents: (view: ProductViewDocument): ProductPosting[] =>
      view.tokens.map((token) => ({ _id: `${token}|${view._id}`, token, productId: view._id, nameKey: view.nameKey, version: view.version })),
  },
} as const;
