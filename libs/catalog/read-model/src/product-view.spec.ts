import { catalogV1, commonV1 } from '@cqrs/contracts';
import { applyProductEvent, parkedProduct, toProductView, type ProductViewDocument } from './product-view';
import { productsProjection } from './products.projection';
import { projectionSpec } from '@cqrs/projection/testing';

const productId = '5f0e7d1c-0000-4000-8000-000000000001';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 12, minute));
let version = 0;

function envelope(eventType: string, payload: Uint8Array, minute: number): commonV1.EventEnvelope {
  version += 1;
  return commonV1.EventEnvelope.fromPartial({
    eventId: `e${version}`,
    streamId: `catalog.product-${productId}`,
    streamType: 'catalog.product',
    aggregateId: productId,
    version,
    eventType,
    payload: Buffer.from(payload),
    occurredAt: t(minute),
  });
}

const created = () =>
  envelope(
    'catalog.v1.ProductCreated',
    catalogV1.ProductCreated.encode({
      productId,
      sku: 'CB-1',
      name: 'Crème Brûlée',
      description: 'Vanilla custard',
      price: { currencyCode: 'EUR', amountMinor: 650 },
      initialStock: 2,
    }).finish(),
    0,
  );

const spec = projectionSpec(productsProjection);
const given = (...envelopes: commonV1.EventEnvelope[]): ProductViewDocument | undefined => spec(envelopes).view();

beforeEach(() => (version = 0));

describe('product view', () => {
  it('ProductCreated → the whole view, with folded search tokens and the name key', () => {
    expect(given(created())).toEqual({
      _id: productId,
      sku: 'CB-1',
      name: 'Crème Brûlée',
      nameKey: 'creme brulee',
      description: 'Vanilla custard',
      price: { currencyCode: 'EUR', amountMinor: 650 },
      stock: 2,
      inStock: true,
      createdAt: t(0),
      updatedAt: t(0),
      version: 1,
      deleted: false,
      tokens: expect.arrayContaining(['cr', 'cre', 'creme', 'br', 'brulee', 'va', 'vanilla', 'cu', 'custard']),
    });
  });

  it('ProductDetailsUpdated → only the given fields change; tokens follow', () => {
    const when = spec([created()]).when(
      envelope(
        'catalog.v1.ProductDetailsUpdated',
        catalogV1.ProductDetailsUpdated.encode({ productId, description: 'Caramel top' }).finish(),
        5,
      ),
    );
    when.then({ name: 'Crème Brûlée', description: 'Caramel top', updatedAt: t(5), createdAt: t(0), version: 2 });
    const view = when.view();
    expect(view?.tokens).toContain('caramel');
    expect(view?.tokens).not.toContain('vanilla');
  });

  it('ProductPriceChanged → the new price', () => {
    const view = given(
      created(),
      envelope(
        'catalog.v1.ProductPriceChanged',
        catalogV1.ProductPriceChanged.encode({
          productId,
          previousPrice: { currencyCode: 'EUR', amountMinor: 650 },
          price: { currencyCode: 'EUR', amountMinor: 700 },
        }).finish(),
        6,
      ),
    );
    expect(view).toMatchObject({ price: { currencyCode: 'EUR', amountMinor: 700 }, version: 2, updatedAt: t(6) });
  });

  it('ProductStockAdjusted → the stock after the adjustment and the in-stock flag', () => {
    const view = given(
      created(),
      envelope(
        'catalog.v1.ProductStockAdjusted',
        catalogV1.ProductStockAdjusted.encode({ productId, delta: -2, reason: 'sold', stock: 0 }).finish(),
        7,
      ),
    );
    expect(view).toMatchObject({ stock: 0, inStock: false, version: 2 });
  });

  it('applies stock and prices stored past 2^53 by older code, read as 2^53 - 1 (the generated decode throws)', () => {
    const int64 = (value: bigint) => value as unknown as number; // the generated encoder writes a bigint as it is
    const view = given(
      created(),
      envelope(
        'catalog.v1.ProductStockAdjusted',
        catalogV1.ProductStockAdjusted.encode({ productId, delta: int64(2n ** 60n), reason: '', stock: int64(2n ** 60n) }).finish(),
        7,
      ),
      envelope(
        'catalog.v1.ProductPriceChanged',
        catalogV1.ProductPriceChanged.encode({
          productId,
          previousPrice: undefined,
          price: { currencyCode: 'EUR', amountMinor: int64(2n ** 62n) },
        }).finish(),
        8,
      ),
    );
    expect(view).toMatchObject({
      stock: Number.MAX_SAFE_INTEGER,
      price: { amountMinor: Number.MAX_SAFE_INTEGER },
      inStock: true,
      version: 3,
    });
  });

  it('reservations count as reserved, not gone: in stock while any unit is available; consumption takes them off hand', () => {
    const orderId = '9a1b2c3d-0000-4000-8000-000000000009';
    const reserved = given(
      created(),
      envelope(
        'catalog.v1.ProductStockReserved',
        catalogV1.ProductStockReserved.encode({ productId, orderId, quantity: 2, reserved: 2 }).finish(),
        7,
      ),
    );
    expect(reserved).toMatchObject({ stock: 2, reserved: 2, inStock: false, version: 2 });
    expect(toProductView(reserved as ProductViewDocument)).toMatchObject({ stock: 2, reservedStock: 2, availableStock: 0, inStock: false });
    const released = applyProductEvent(
      reserved,
      envelope(
        'catalog.v1.ProductStockReleased',
        catalogV1.ProductStockReleased.encode({ productId, orderId, quantity: 2, reserved: 0 }).finish(),
        8,
      ),
    );
    expect(released).toMatchObject({ stock: 2, reserved: 0, inStock: true, version: 3 });
    const consumed = applyProductEvent(
      reserved,
      envelope(
        'catalog.v1.ProductStockConsumed',
        catalogV1.ProductStockConsumed.encode({ productId, orderId, quantity: 2, stock: 0, reserved: 0 }).finish(),
        9,
      ),
    );
    expect(consumed).toMatchObject({ stock: 0, reserved: 0, inStock: false });
  });

  it('ProductDeleted → marked deleted, with no search tokens left', () => {
    const view = given(
      created(),
      envelope('catalog.v1.ProductDeleted', catalogV1.ProductDeleted.encode({ productId, reason: 'gone' }).finish(), 8),
    );
    expect(view).toMatchObject({ deleted: true, version: 2, tokens: [] });
  });

  it('ignores event types it does not know', () => {
    const view = given(created());
    expect(applyProductEvent(view, envelope('catalog.v1.SomethingNew', new Uint8Array(), 9))).toBeUndefined();
  });

  it('throws (to be retried, then parked) for an event on a product it never saw, or a garbage payload', () => {
    expect(() =>
      applyProductEvent(
        undefined,
        envelope(
          'catalog.v1.ProductStockAdjusted',
          catalogV1.ProductStockAdjusted.encode({ productId, delta: 1, stock: 1, reason: '' }).finish(),
          1,
        ),
      ),
    ).toThrow(/has no view/);
    expect(() =>
      applyProductEvent(given(created()), envelope('catalog.v1.ProductPriceChanged', Buffer.from([0xff, 0xff, 0xff, 0xff]), 1)),
    ).toThrow();
  });

  it('a parked first event leaves a hidden stand-in at that version', () => {
    expect(parkedProduct(productId, 1, t(0))).toMatchObject({ _id: productId, version: 1, deleted: true, tokens: [] });
  });

  it('maps to the ProductView message', () => {
    expect(toProductView(given(created()) as ProductViewDocument)).toEqual({
      productId,
      sku: 'CB-1',
      name: 'Crème Brûlée',
      description: 'Vanilla custard',
      price: { currencyCode: 'EUR', amountMinor: 650 },
      stock: 2,
      reservedStock: 0,
      availableStock: 2,
      inStock: true,
      createdAt: t(0),
      updatedAt: t(0),
      version: 1,
    });
  });

  it('finds a product by the words of its name and description, in creation order', () => {
    const view = given(created()) as ProductViewDocument;
    expect(productsProjection.search?.order).toBe('created');
    expect(productsProjection.search?.tokens(view)).toEqual(expect.arrayContaining(['creme', 'brulee', 'vanilla']));
  });

  it('files a product in its name, price and creation orders; a deleted one in none', () => {
    const view = given(created()) as ProductViewDocument;
    expect((productsProjection.orders ?? []).map((order) => order.key(view))).toEqual([
      ['creme brulee', productId],
      [650, productId],
      [t(0).getTime(), productId],
    ]);
    expect((productsProjection.orders ?? []).map((order) => order.key({ ...view, deleted: true }))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
