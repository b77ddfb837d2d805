import { catalogV1, decodeClamped, type commonV1 } from '@cqrs/contracts';
import { searchTokens, words } from './search-tokens';

/** A product as stored in the view store; `_id` is the product id. */
export interface ProductViewDocument {
  readonly _id: string;
  readonly sku: string;
  readonly name: string;
  /** Folded name, for ordering by name. */
  readonly nameKey: string;
  readonly description: string;
  readonly price: { readonly currencyCode: string; readonly amountMinor: number };
  /** Units on hand, reserved ones included. */
  readonly stock: number;
  /** Units set aside for orders not yet served (absent in views written before reservations existed). */
  readonly reserved?: number;
  /** Whether any unit is available: on hand less reserved. */
  readonly inStock: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The last applied version of the product aggregate. */
  readonly version: number;
  readonly deleted: boolean;
  /** Lower-cased, accent-folded words of name and description and their prefixes. */
  readonly tokens: readonly string[];
  /** Versions whose events could not be applied and were parked (see the dead-letter collection). */
  readonly parkedVersions?: readonly number[];
}

/**
 * The next state of a product's view after one event (the envelope's version is the next one);
 * undefined for event types this view ignores. Throws when the event cannot be applied.
 */
export function applyProductEvent(
  current: ProductViewDocument | undefined,
  envelope: commonV1.EventEnvelope,
): ProductViewDocument | undefined {
  const at = envelope.occurredAt ?? new Date(0);
  const version = envelope.version;
  switch (envelope.eventType) {
    case 'catalog.v1.ProductCreated': {
      const e = decodeClamped(catalogV1.ProductCreated, envelope.payload);
      if (e.price === undefined) throw new Error('ProductCreated without a price');
      return withDerived({
        _id: e.productId,
        sku: e.sku,
        name: e.name,
        description: e.description,
        price: e.price,
        stock: e.initialStock,
        createdAt: at,
        updatedAt: at,
        version,
        deleted: false,
      });
    }
    case 'catalog.v1.ProductDetailsUpdated': {
      const e = decodeClamped(catalogV1.ProductDetailsUpdated, envelope.payload);
      const base = existing(current, envelope);
      return withDerived({
        ...base,
        ...(e.name !== undefined ? { name: e.name } : {}),
        ...(e.description !== undefined ? { description: e.description } : {}),
        updatedAt: at,
        version,
      });
    }
    case 'catalog.v1.ProductPriceChanged': {
      const e = decodeClamped(catalogV1.ProductPriceChanged, envelope.payload);
      if (e.price === undefined) throw new Error('ProductPriceChanged without a price');
      return withDerived({ ...existing(current, envelope), price: e.price, updatedAt: at, version });
    }
    case 'catalog.v1.ProductStockAdjusted': {
      const e = decodeClamped(catalogV1.ProductStockAdjusted, envelope.payload);
      return withDerived({ ...existing(current, envelope), stock: e.stock, updatedAt: at, version });
    }
    case 'catalog.v1.ProductStockReserved': {
      const e = decodeClamped(catalogV1.ProductStockReserved, envelope.payload);
      return withDerived({ ...existing(current, envelope), reserved: e.reserved, updatedAt: at, version });
    }
    case 'catalog.v1.ProductStockReleased': {
      const e = decodeClamped(catalogV1.ProductStockReleased, envelope.payload);
      return withDerived({ ...existing(current, envelope), reserved: e.reserved, updatedAt: at, version });
    }
    case 'catalog.v1.ProductStockConsumed': {
      const e = decodeClamped(catalogV1.ProductStockConsumed, envelope.payload);
      return withDerived({ ...existing(current, envelope), stock: e.stock, reserved: e.reserved, updatedAt: at, version });
    }
    case 'catalog.v1.ProductDeleted':
      decodeClamped(catalogV1.ProductDeleted, envelope.payload);
      return withDerived({ ...existing(current, envelope), deleted: true, updatedAt: at, version });
    default:
      return undefined;
  }
}

/** A stand-in for a product whose first event was parked, so later events still find a view. */
export function parkedProduct(aggregateId: string, version: number, at: Date): ProductViewDocument {
  return {
    ...withDerived({
      _id: aggregateId,
      sku: '',
      name: '',
      description: '',
      price: { currencyCode: '', amountMinor: 0 },
      stock: 0,
      createdAt: at,
      updatedAt: at,
      version,
      deleted: true,
    }),
    tokens: [],
  };
}

export function toProductView(doc: ProductViewDocument): catalogV1.ProductView {
  return {
    productId: doc._id,
    sku: doc.sku,
    name: doc.name,
    description: doc.description,
    price: { currencyCode: doc.price.currencyCode, amountMinor: doc.price.amountMinor },
    stock: doc.stock,
    reservedStock: doc.reserved ?? 0,
    availableStock: doc.stock - (doc.reserved ?? 0),
    inStock: doc.inStock,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    version: doc.version,
  };
}

function existing(current: ProductViewDocument | undefined, envelope: commonV1.EventEnvelope): ProductViewDocument {
  if (current === undefined) throw new Error(`${envelope.eventType} for product ${envelope.aggregateId} that has no view`);
  return current;
}

type Core = Omit<ProductViewDocument, 'nameKey' | 'inStock' | 'tokens'>;

function withDerived(doc: Core): ProductViewDocument {
  return {
    ...doc,
    nameKey: words(doc.name).join(' '),
    inStock: doc.stock - (doc.reserved ?? 0) > 0,
    tokens: doc.deleted ? [] : searchTokens(doc.name, doc.description),
  };
}
