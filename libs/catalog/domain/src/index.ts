export { moneyViolations } from './money';
export type { Money } from './money';
export type { AdjustProductStock, ChangeProductPrice, CreateProduct, DeleteProduct, ProductCommand, UpdateProductDetails } from './product.commands';
export { PRODUCT_RESOURCE, productDecider } from './product.decider';
export type { ProductCreated, ProductDeleted, ProductDetailsUpdated, ProductEvent, ProductPriceChanged, ProductStockAdjusted } from './product.events';
export { DESCRIPTION_MAX, NAME_MAX, REASON_MAX } from './product.rules';
export type { ActiveProduct, ProductState } from './product.state';
