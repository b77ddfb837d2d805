import type { Message } from '@cqrs/decider';
import type { Money } from './money';

export type ProductCreated = Message<
  'ProductCreated',
  { productId: string; sku: string; name: string; description: string; price: Money; initialStock: number }
>;
/** Only the fields that changed are present. */
export type ProductDetailsUpdated = Message<'ProductDetailsUpdated', { productId: string; name?: string; description?: string }>;
export type ProductPriceChanged = Message<'ProductPriceChanged', { productId: string; previousPrice: Money; price: Money }>;
export type ProductStockAdjusted = Message<'ProductStockAdjusted', { productId: string; delta: number; reason: string; stock: number }>;
export type ProductDeleted = Message<'ProductDeleted', { productId: string; reason: string }>;

/** Units set aside for an order; `reserved` is the total reserved after it. */
export type ProductStockReserved = Message<
  'ProductStockReserved',
  { productId: string; orderId: string; quantity: number; reserved: number }
>;
export type ProductStockReleased = Message<
  'ProductStockReleased',
  { productId: string; orderId: string; quantity: number; reserved: number }
>;
/** Reserved units taken out of stock (the order was served). */
export type ProductStockConsumed = Message<
  'ProductStockConsumed',
  { productId: string; orderId: string; quantity: number; stock: number; reserved: number }
>;
export type ProductEvent =
  | ProductCreated
  | ProductDetailsUpdated
  | ProductPriceChanged
  | ProductStockAdjusted
  | ProductDeleted
  | ProductStockReserved
  | ProductStockReleased
  | ProductStockConsumed;
