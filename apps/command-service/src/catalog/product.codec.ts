import { catalogV1, decodeClamped } from '@cqrs/contracts';
import type { ProductEvent } from '@cqrs/catalog-domain';
import type { EncodedEvent, EventCodec } from '@cqrs/write-store';

const SCHEMA_VERSION = 1;

/** Product events are stored and published as the catalog.v1 Protobuf messages of proto/. */
export const productCodec: EventCodec<ProductEvent> = {
  encode(event: ProductEvent): EncodedEvent {
    switch (event.type) {
      case 'ProductCreated':
        return encoded(
          'catalog.v1.ProductCreated',
          catalogV1.ProductCreated.encode(catalogV1.ProductCreated.fromPartial(event.data)).finish(),
        );
      case 'ProductDetailsUpdated':
        return encoded(
          'catalog.v1.ProductDetailsUpdated',
          catalogV1.ProductDetailsUpdated.encode(catalogV1.ProductDetailsUpdated.fromPartial(event.data)).finish(),
        );
      case 'ProductPriceChanged':
        return encoded(
          'catalog.v1.ProductPriceChanged',
          catalogV1.ProductPriceChanged.encode(catalogV1.ProductPriceChanged.fromPartial(event.data)).finish(),
        );
      case 'ProductStockAdjusted':
        return encoded(
          'catalog.v1.ProductStockAdjusted',
          catalogV1.ProductStockAdjusted.encode(catalogV1.ProductStockAdjusted.fromPartial(event.data)).finish(),
        );
      case 'ProductDeleted':
        return encoded(
          'catalog.v1.ProductDeleted',
          catalogV1.ProductDeleted.encode(catalogV1.ProductDeleted.fromPartial(event.data)).finish(),
        );
      case 'ProductStockReserved':
        return encoded(
          'catalog.v1.ProductStockReserved',
          catalogV1.ProductStockReserved.encode(catalogV1.ProductStockReserved.fromPartial(event.data)).finish(),
        );
      case 'ProductStockReleased':
        return encoded(
          'catalog.v1.ProductStockReleased',
          catalogV1.ProductStockReleased.encode(catalogV1.ProductStockReleased.fromPartial(event.data)).finish(),
        );
      case 'ProductStockConsumed':
        return encoded(
          'catalog.v1.ProductStockConsumed',
          catalogV1.ProductStockConsumed.encode(catalogV1.ProductStockConsumed.fromPartial(event.data)).finish(),
        );
      default: {
        const _exhaustive: never = event;
        throw new Error(`unknown product event ${JSON.stringify(_exhaustive)}`);
      }
    }
  },

  decode({ type, payload }: EncodedEvent): ProductEvent {
    switch (type) {
      case 'catalog.v1.ProductCreated': {
        const { price, ...data } = decodeClamped(catalogV1.ProductCreated, payload);
        return { type: 'ProductCreated', data: { ...data, price: money(price) } };
      }
      case 'catalog.v1.ProductDetailsUpdated': {
        const { productId, name, description } = decodeClamped(catalogV1.ProductDetailsUpdated, payload);
        return {
          type: 'ProductDetailsUpdated',
          data: { productId, ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) },
        };
      }
      case 'catalog.v1.ProductPriceChanged': {
        const { productId, previousPrice, price } = decodeClamped(catalogV1.ProductPriceChanged, payload);
        return { type: 'ProductPriceChanged', data: { productId, previousPrice: money(previousPrice), price: money(price) } };
      }
      case 'catalog.v1.ProductStockAdjusted':
        return { type: 'ProductStockAdjusted', data: decodeClamped(catalogV1.ProductStockAdjusted, payload) };
      case 'catalog.v1.ProductDeleted':
        return { type: 'ProductDeleted', data: decodeClamped(catalogV1.ProductDeleted, payload) };
      case 'catalog.v1.ProductStockReserved':
        return { type: 'ProductStockReserved', data: decodeClamped(catalogV1.ProductStockReserved, payload) };
      case 'catalog.v1.ProductStockReleased':
        return { type: 'ProductStockReleased', data: decodeClamped(catalogV1.ProductStockReleased, payload) };
      case 'catalog.v1.ProductStockConsumed':
        return { type: 'ProductStockConsumed', data: decodeClamped(catalogV1.ProductStockConsumed, payload) };
      default:
        throw new Error(`unknown product event type ${type}`);
    }
  },
};

function encoded(type: string, payload: Uint8Array): EncodedEvent {
  return { type, schemaVersion: SCHEMA_VERSION, payload: Buffer.from(payload) };
}

export function money(value: { currencyCode: string; amountMinor: number } | undefined) {
  return { currencyCode: value?.currencyCode ?? '', amountMinor: value?.amountMinor ?? 0 };
}
