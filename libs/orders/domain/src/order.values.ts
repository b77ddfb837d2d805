/** An amount in the minor units of an ISO 4217 currency; never a float. */
export interface Money {
  readonly currencyCode: string;
  readonly amountMinor: number;
}

/** Who the order is for: a table in the restaurant or a customer (take-away), exactly one. */
export type OrderReference =
  { readonly table: string; readonly customer?: undefined } | { readonly customer: string; readonly table?: undefined };

/** A line as the catalog priced it when it reserved the stock. */
export interface PricedLine {
  readonly productId: string;
  readonly quantity: number;
  readonly name: string;
  readonly unitPrice: Money;
}

export const ORDER_STATUSES = ['Placed', 'Confirmed', 'Rejected', 'Preparing', 'Ready', 'Served', 'Cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
