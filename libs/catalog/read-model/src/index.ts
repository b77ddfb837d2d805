export { applyProductEvent, parkedProduct, toProductView } from './product-view';
export type { ProductViewDocument } from './product-view';
export { PRODUCT_POSTINGS_COLLECTION, PRODUCTS_COLLECTION, productsProjection } from './products.projection';
export type { ProductPosting } from './products.projection';
export { MIN_TOKEN_LENGTH, queryTokens, searchTokens, words } from './search-tokens';
export { isSearchSample, SEARCH_SAMPLE_RATE } from './search-sample';
