import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { shapeViolations } from './request-shape';

describe('shapeViolations', () => {
  const limits = { maxTextChars: 100, maxItems: 10, textChars: { query: 20 }, items: { update_mask: 2 } };

  it('accepts a request within its bounds', () => {
    expect(
      shapeViolations(catalogV1.CreateProductRequest.fromPartial({ sku: 'ESP-1', price: { currencyCode: 'EUR', amountMinor: 1 } }), limits),
    ).toEqual([]);
  });

  it('names long text by its proto path, nested ones included', () => {
    const request = catalogV1.CreateProductRequest.fromPartial({
      name: 'n'.repeat(101),
      price: { currencyCode: 'E'.repeat(100_000), amountMinor: 1 },
    });
    expect(shapeViolations(request, limits)).toEqual([
      { field: 'name', description: 'must be at most 100 characters (got 101)' },
      { field: 'price.currency_code', description: 'must be at most 100 characters (got 100000)' },
    ]);
  });

  it('applies per-field bounds', () => {
    expect(shapeViolations(catalogV1.SearchProductsRequest.fromPartial({ query: 'q'.repeat(21) }), limits).map((v) => v.field)).toEqual([
      'query',
    ]);
    const mask = catalogV1.UpdateProductDetailsRequest.fromPartial({ updateMask: ['name', 'description', 'sku'] });
    expect(shapeViolations(mask, limits)).toEqual([{ field: 'update_mask', description: 'must hold at most 2 items (got 3)' }]);
  });

  it('refuses a long repeated field without looking into it, and indexes the items of a short one', () => {
    const many = ordersV1.PlaceOrderRequest.fromPartial({
      lines: Array.from({ length: 1_000 }, () => ({ productId: 'x'.repeat(1_000), quantity: 1 })),
    });
    expect(shapeViolations(many, limits)).toEqual([{ field: 'lines', description: 'must hold at most 10 items (got 1000)' }]);
    const few = ordersV1.PlaceOrderRequest.fromPartial({
      lines: [
        { productId: 'p', quantity: 1 },
        { productId: 'x'.repeat(101), quantity: 1 },
      ],
    });
    expect(shapeViolations(few, limits).map((v) => v.field)).toEqual(['lines[1].product_id']);
  });

  it('stops after a few violations', () => {
    const few = ordersV1.PlaceOrderRequest.fromPartial({
      lines: Array.from({ length: 10 }, () => ({ productId: 'x'.repeat(101), quantity: 1 })),
    });
    expect(shapeViolations(few, limits)).toHaveLength(8);
  });
});
