import { productDecider, type ProductCommand, type ProductEvent, type ProductState } from '@cqrs/catalog-domain';
import type { AggregateType } from '@cqrs/write-store';
import { productCodec } from './product.codec';

export const SKU_SCOPE = 'catalog.product.sku';

/** The Product aggregate as the platform runs it: stream type, decider, codec, unique SKUs. */
export const productAggregate: AggregateType<ProductState, ProductCommand, ProductEvent> = {
  streamType: 'catalog.product',
  decider: productDecider,
  codec: productCodec,
  uniqueClaims: (events, before) => ({
    claims: events.flatMap((e) => (e.type === 'ProductCreated' ? [{ scope: SKU_SCOPE, value: e.data.sku }] : [])),
    releases: events.flatMap((e) =>
      e.type === 'ProductDeleted' && before.status === 'Active' ? [{ scope: SKU_SCOPE, value: before.sku }] : [],
    ),
  }),
  // Stock adjustments and reservations make long streams; the state is plain JSON (2: with reserved units).
  snapshots: { every: 100, schemaVersion: 2, toJson: (state) => state, fromJson: (json) => json as ProductState },
};
