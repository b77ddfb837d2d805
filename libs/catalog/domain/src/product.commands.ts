import type { Message } from '@cqrs/decider';
import type { Money } from './money';

export type CreateProduct = Message<
  'CreateProduct',
  { productId: string; sku: string; name: string; description: string; price: Money | undefined; initialStock: number }
>;
/** A field left undefined is not changed. */
export type UpdateProductDetails = Message<'UpdateProductDetails', { productId: string; name?: string; description?: string }>;
export type ChangeProductPrice = Message<'ChangeProductPrice', { productId: string; price: Money | undefined }>;
export type AdjustProductStock = Message<'AdjustProductStock', { productId: string; delta: number; reason: string }>;
export type DeleteProduct = Message<'DeleteProduct', { productId: string; reason: string }>;

/** Sets units aside for an order (from the catalog's reaction to OrderPlaced, never from a caller). */
export type ReserveStock = Message<'ReserveStock', { productId: string; orderId: string; quantity: number }>;
export type ReleaseStock = Message<'ReleaseStock', { productId: string; orderId: string; quantity: number }>;
export type ConsumeStock = Message<'ConsumeStock', { productId: string; orderId: string; quantity: number }>;
export type ProductCommand =
  | CreateProduct
  | UpdateProductDetails
  | ChangeProductPrice
  | AdjustProductStock
  | DeleteProduct
  | ReserveStock
  | ReleaseStock
  | ConsumeStock;
