import type { commonV1 } from '@cqrs/contracts';
import type { OrderKey, Projection } from '@cqrs/projection';
import { applyProductEvent, parkedProduct, type ProductViewDocument } from './product-view';

export const PRODUCTS_COLLECTION = 'products';

const listed = (view: ProductViewDocument, key: string | number): OrderKey | undefined => (view.deleted ? undefined : [key, view._id]);

/**
 * The product views, declared for the projection runtime: which events, how a view changes, the
 * orders lists come in, and the words a search finds (results in creation order).
 */
export const productsProjection: Projection<ProductViewDocument, commonV1.EventEnvelope> = {
  name: 'catalog-products',
  streamType: 'catalog.product',
  collection: PRODUCTS_COLLECTION,
  indexes: [],
  orders: [
    { name: 'name', key: (view) => listed(view, view.nameKey) },
    { name: 'price', key: (view) => listed(view, view.price.amountMinor) },
    { name: 'created', key: (view) => listed(view, view.createdAt.getTime()) },
  ],
  search: { order: 'created', tokens: (view) => view.tokens },
  apply: applyProductEvent,
  parked: parkedProduct,
};
