import { catalogV1, decodeClamped, ordersV1 } from './index';

/** The generated encoders hand an int64 to a writer that takes a bigint too, so tests can store what older code did. */
const int64 = (value: bigint) => value as unknown as number;
const TWO_63 = 2n ** 63n;

describe('decodeClamped', () => {
  it('reads 64-bit integers beyond ±(2^53 - 1) as ±Number.MAX_SAFE_INTEGER, where the generated decode throws', () => {
    const payload = catalogV1.ProductStockAdjusted.encode({
      productId: 'p',
      delta: int64(-(TWO_63 - 1n)),
      reason: '',
      stock: int64(TWO_63 - 1n),
    }).finish();
    expect(() => catalogV1.ProductStockAdjusted.decode(payload)).toThrow(/Value is (larger|smaller) than Number\.M(AX|IN)_SAFE_INTEGER/);
    expect(decodeClamped(catalogV1.ProductStockAdjusted, payload)).toEqual({
      productId: 'p',
      delta: Number.MIN_SAFE_INTEGER,
      reason: '',
      stock: Number.MAX_SAFE_INTEGER,
    });
  });

  it('clamps in nested messages too', () => {
    const huge = { currencyCode: 'EUR', amountMinor: int64(891712726219358080n) };
    const payload = ordersV1.OrderConfirmed.encode({
      orderId: 'o',
      lines: [{ productId: 'p', quantity: 99, name: 'x', unitPrice: huge }],
      total: huge,
    }).finish();
    const decoded = decodeClamped(ordersV1.OrderConfirmed, payload);
    expect(decoded.total).toEqual({ currencyCode: 'EUR', amountMinor: Number.MAX_SAFE_INTEGER });
    expect(decoded.lines[0]?.unitPrice?.amountMinor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('decodes values within range exactly as the generated decode does', () => {
    const event = { productId: 'p', orderId: 'o', quantity: 3, stock: Number.MAX_SAFE_INTEGER, reserved: -5 };
    const payload = catalogV1.ProductStockConsumed.encode(event).finish();
    expect(decodeClamped(catalogV1.ProductStockConsumed, payload)).toEqual(catalogV1.ProductStockConsumed.decode(payload));
    expect(decodeClamped(catalogV1.ProductStockConsumed, payload)).toEqual(event);
  });
});
