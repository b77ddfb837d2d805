export { moneyViolations } from './money';
export type { Money } from './money';
export type {
  AdjustProductStock,
  ChangeProductPrice,
  ConsumeStock,
  CreateProduct,
  DeleteProduct,
  ProductCommand,
  ReleaseStock,
  ReserveStock,
  UpdateProductDetails,
} from './product.commands';
export { PRODUCT_RESOURCE, productDecider } from './product.decider';
export type {
  ProductCreated,
  ProductDeleted,
  ProductDetailsUpdated,
  ProductEvent,
  ProductPriceChanged,
  ProductStockAdjusted,
  ProductStockConsumed,
  ProductStockReleased,
  ProductStockReserved,
} from './product.events';
export { decideReservation, productsInvolved, reservationEvolver } from './reservation';
export type { OrderLine, ReservationCommand, ReservationDecision, ReservationEvent, ReservationState, ReservedLine } from './reservation';
export { DESCRIPTION_MAX, NAME_MAX, REASON_MAX } from './product.rules';
export type { ActiveProduct, ProductState } from './product.state';
