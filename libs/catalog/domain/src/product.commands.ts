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

export type ProductCommand = CreateProduct | UpdateProductDetails | ChangeProductPrice | AdjustProductStock | DeleteProduct;
