export { applyProductEvent, parkedProduct, toProductView } from './product-view';
export type { ProductViewDocument } from './product-view';
export { PRODUCTS_COLLECTION, productsProjection } from './products.projection';
export { MIN_TOKEN_LENGTH, queryTokens, searchTokens, words } from './search-tokens';
