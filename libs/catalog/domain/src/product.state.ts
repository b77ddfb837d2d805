import type { Money } from './money';

export type ProductState =
  | { readonly status: 'Empty' }
  | {
      readonly status: 'Active';
      readonly productId: string;
      readonly sku: string;
      readonly name: string;
      readonly description: string;
      readonly price: Money;
      /** Units on hand, reserved ones included. */
      readonly stock: number;
      /** Units on hand set aside for orders not yet served. */
      readonly reserved: number;
    }
  | { readonly status: 'Deleted'; readonly productId: string; readonly sku: string };

export type ActiveProduct = Extract<ProductState, { status: 'Active' }>;
