import { deciderSpec } from '@cqrs/decider/testing';
import { AlreadyExistsError, AMOUNT_MINOR_MAX, IllegalStateError, NotFoundError, UNITS_MAX, ValidationError } from '@cqrs/errors';
import type { ProductCommand } from './product.commands';
import { productDecider } from './product.decider';
import type { ProductCreated, ProductDeleted, ProductEvent } from './product.events';

const given = deciderSpec(productDecider);
const productId = '0b7c1f52-5a7e-4c1b-9d59-1f2b8c3d4e5f';
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

const created: ProductCreated = {
  type: 'ProductCreated',
  data: { productId, sku: 'ESP-1', name: 'Espresso', description: 'Short and strong', price: eur(250), initialStock: 10 },
};
const deleted: ProductDeleted = { type: 'ProductDeleted', data: { productId, reason: 'discontinued' } };
const stockIs = (stock: number): ProductEvent => ({
  type: 'ProductStockAdjusted',
  data: { productId, delta: stock - 10, reason: '', stock },
});

const create = (overrides: Partial<Extract<ProductCommand, { type: 'CreateProduct' }>['data']> = {}): ProductCommand => ({
  type: 'CreateProduct',
  data: {
    productId,
    sku: ' esp-1 ',
    name: '  Espresso ',
    description: 'Short and strong',
    price: eur(250),
    initialStock: 10,
    ...overrides,
  },
});

function violationsOf(command: ProductCommand, events: ProductEvent[] = []): string[] {
  let fields: string[] = [];
  given(events)
    .when(command)
    .thenThrows(ValidationError, (err) => (fields = err.violations.map((v) => v.field)));
  return fields;
}

describe('Product', () => {
  describe('CreateProduct', () => {
    it('creates with a trimmed name and an upper-case SKU', () => {
      given([]).when(create()).then([created]);
    });

    it('reports every bad field at once', () => {
      expect(
        violationsOf(
          create({
            sku: 'no spaces!',
            name: '   ',
            description: 'x'.repeat(5_001),
            price: { currencyCode: 'EURO', amountMinor: -1 },
            initialStock: -3,
          }),
        ),
      ).toEqual(['sku', 'name', 'description', 'price.currency_code', 'price.amount_minor', 'initial_stock']);
    });

    it('requires a price', () => {
      expect(violationsOf(create({ price: undefined }))).toEqual(['price']);
    });

    it('accepts a name of exactly 200 characters and refuses 201', () => {
      given([])
        .when(create({ name: 'n'.repeat(200) }))
        .then([{ ...created, data: { ...created.data, name: 'n'.repeat(200) } }]);
      expect(violationsOf(create({ name: 'n'.repeat(201) }))).toEqual(['name']);
    });

    it('accepts a free product and a fractional-less currency', () => {
      given([])
        .when(create({ price: { currencyCode: 'JPY', amountMinor: 0 } }))
        .then([{ ...created, data: { ...created.data, price: { currencyCode: 'JPY', amountMinor: 0 } } }]);
    });

    it('refuses a product that already exists', () => {
      given([created]).when(create()).thenThrows(AlreadyExistsError);
    });
  });

  describe('UpdateProductDetails', () => {
    it('records only the fields that change', () => {
      given([created])
        .when({ type: 'UpdateProductDetails', data: { productId, name: 'Espresso', description: ' Double shot ' } })
        .then([{ type: 'ProductDetailsUpdated', data: { productId, description: 'Double shot' } }]);
    });

    it('records nothing when nothing changes', () => {
      given([created])
        .when({ type: 'UpdateProductDetails', data: { productId, name: 'Espresso ' } })
        .then([]);
    });

    it('refuses an update that names no field', () => {
      expect(violationsOf({ type: 'UpdateProductDetails', data: { productId } }, [created])).toEqual(['update_mask']);
    });

    it('refuses an empty name', () => {
      expect(violationsOf({ type: 'UpdateProductDetails', data: { productId, name: ' ' } }, [created])).toEqual(['name']);
    });

    it('refuses an unknown product with NOT_FOUND', () => {
      given([])
        .when({ type: 'UpdateProductDetails', data: { productId, name: 'x' } })
        .thenThrows(NotFoundError);
    });
  });

  describe('ChangeProductPrice', () => {
    it('records the previous and the new price', () => {
      given([created])
        .when({ type: 'ChangeProductPrice', data: { productId, price: eur(275) } })
        .then([{ type: 'ProductPriceChanged', data: { productId, previousPrice: eur(250), price: eur(275) } }]);
    });

    it('records nothing for the same price', () => {
      given([created])
        .when({ type: 'ChangeProductPrice', data: { productId, price: eur(250) } })
        .then([]);
    });

    it('refuses a negative price or an unknown currency', () => {
      expect(
        violationsOf({ type: 'ChangeProductPrice', data: { productId, price: { currencyCode: 'XYZ', amountMinor: -5 } } }, [created]),
      ).toEqual(['price.currency_code', 'price.amount_minor']);
    });

    it('uses the latest price after several changes', () => {
      given([created, { type: 'ProductPriceChanged', data: { productId, previousPrice: eur(250), price: eur(300) } }])
        .when({ type: 'ChangeProductPrice', data: { productId, price: eur(275) } })
        .then([{ type: 'ProductPriceChanged', data: { productId, previousPrice: eur(300), price: eur(275) } }]);
    });
  });

  describe('AdjustProductStock', () => {
    it('records the delta and the resulting stock', () => {
      given([created, stockIs(4)])
        .when({ type: 'AdjustProductStock', data: { productId, delta: -4, reason: ' sold ' } })
        .then([{ type: 'ProductStockAdjusted', data: { productId, delta: -4, reason: 'sold', stock: 0 } }]);
    });

    it('never takes stock below zero', () => {
      given([created, stockIs(3)])
        .when({ type: 'AdjustProductStock', data: { productId, delta: -4, reason: '' } })
        .thenThrows(IllegalStateError, (err) => {
          expect(err.reason).toBe('INSUFFICIENT_STOCK');
          expect(err.metadata['stock']).toBe('3');
        });
    });

    it('refuses a zero or fractional delta', () => {
      expect(violationsOf({ type: 'AdjustProductStock', data: { productId, delta: 0, reason: '' } }, [created])).toEqual(['delta']);
      expect(violationsOf({ type: 'AdjustProductStock', data: { productId, delta: 1.5, reason: '' } }, [created])).toEqual(['delta']);
    });

    it('refuses an over-long reason', () => {
      expect(violationsOf({ type: 'AdjustProductStock', data: { productId, delta: 1, reason: 'r'.repeat(501) } }, [created])).toEqual([
        'reason',
      ]);
    });
  });

  describe('DeleteProduct', () => {
    it('deletes an active product', () => {
      given([created])
        .when({ type: 'DeleteProduct', data: { productId, reason: ' discontinued' } })
        .then([deleted]);
    });

    it('refuses an unknown product with NOT_FOUND', () => {
      given([])
        .when({ type: 'DeleteProduct', data: { productId, reason: '' } })
        .thenThrows(NotFoundError);
    });
  });

  describe('stock reserved for orders', () => {
    const orderId = '7d0c4d3e-3b1f-4a8e-9f3a-5c2e1b0a9d8c';
    const reserved = (quantity: number, total: number): ProductEvent => ({
      type: 'ProductStockReserved',
      data: { productId, orderId, quantity, reserved: total },
    });

    it('reserves what is available and counts it as reserved, not taken', () => {
      given([created])
        .when({ type: 'ReserveStock', data: { productId, orderId, quantity: 10 } })
        .then([reserved(10, 10)]);
    });

    it('refuses to reserve more than is available (on hand less reserved)', () => {
      given([created, reserved(7, 7)])
        .when({ type: 'ReserveStock', data: { productId, orderId, quantity: 4 } })
        .thenThrows(IllegalStateError, (err) => {
          expect(err.reason).toBe('INSUFFICIENT_STOCK');
          expect(err.message).toContain('has 3 available');
        });
    });

    it('cannot take on-hand stock below what is reserved', () => {
      given([created, reserved(7, 7)])
        .when({ type: 'AdjustProductStock', data: { productId, delta: -4, reason: 'broken' } })
        .thenThrows(IllegalStateError, (err) => expect(err.reason).toBe('STOCK_RESERVED'));
      given([created, reserved(7, 7)])
        .when({ type: 'AdjustProductStock', data: { productId, delta: -3, reason: 'broken' } })
        .then([{ type: 'ProductStockAdjusted', data: { productId, delta: -3, reason: 'broken', stock: 7 } }]);
    });

    it('releases reserved units back to available', () => {
      given([created, reserved(7, 7)])
        .when({ type: 'ReleaseStock', data: { productId, orderId, quantity: 7 } })
        .then([{ type: 'ProductStockReleased', data: { productId, orderId, quantity: 7, reserved: 0 } }]);
    });

    it('consumes reserved units: out of stock and out of reserved', () => {
      given([created, reserved(7, 7)])
        .when({ type: 'ConsumeStock', data: { productId, orderId, quantity: 7 } })
        .then([{ type: 'ProductStockConsumed', data: { productId, orderId, quantity: 7, stock: 3, reserved: 0 } }]);
    });

    it('refuses to release or consume more than is reserved (a reservation applied twice)', () => {
      for (const type of ['ReleaseStock', 'ConsumeStock'] as const) {
        given([created, reserved(2, 2)])
          .when({ type, data: { productId, orderId, quantity: 3 } })
          .thenThrows(IllegalStateError, (err) => expect(err.reason).toBe('NOT_RESERVED'));
      }
    });

    it('refuses to delete a product with reserved units', () => {
      given([created, reserved(1, 1)])
        .when({ type: 'DeleteProduct', data: { productId, reason: '' } })
        .thenThrows(IllegalStateError, (err) => expect(err.reason).toBe('STOCK_RESERVED'));
    });
  });

  describe('bounds: 10^15 minor units of money, 10^12 units of stock', () => {
    const adjust = (delta: number): ProductCommand => ({ type: 'AdjustProductStock', data: { productId, delta, reason: '' } });
    const stockLimit = (err: IllegalStateError) => expect(err.reason).toBe('STOCK_LIMIT_EXCEEDED');

    it('accepts a price and a stock right at the bounds and refuses one past them', () => {
      given([])
        .when(create({ price: eur(AMOUNT_MINOR_MAX), initialStock: UNITS_MAX }))
        .then([{ ...created, data: { ...created.data, price: eur(AMOUNT_MINOR_MAX), initialStock: UNITS_MAX } }]);
      expect(violationsOf(create({ price: eur(AMOUNT_MINOR_MAX + 1), initialStock: UNITS_MAX + 1 }))).toEqual([
        'price.amount_minor',
        'initial_stock',
      ]);
      expect(violationsOf({ type: 'ChangeProductPrice', data: { productId, price: eur(Number.MAX_SAFE_INTEGER) } }, [created])).toEqual([
        'price.amount_minor',
      ]);
    });

    it('refuses a delta past the bound (2^53 - 1 included) as a bad field', () => {
      expect(violationsOf(adjust(Number.MAX_SAFE_INTEGER), [created])).toEqual(['delta']);
      expect(violationsOf(adjust(-UNITS_MAX - 1), [created])).toEqual(['delta']);
    });

    it('takes stock up to the bound, and refuses an increase past it', () => {
      given([created, stockIs(UNITS_MAX - 1)])
        .when(adjust(1))
        .then([{ type: 'ProductStockAdjusted', data: { productId, delta: 1, reason: '', stock: UNITS_MAX } }]);
      given([created, stockIs(UNITS_MAX)])
        .when(adjust(1))
        .thenThrows(IllegalStateError, stockLimit);
      given([created, stockIs(10)])
        .when(adjust(UNITS_MAX))
        .thenThrows(IllegalStateError, stockLimit);
    });

    it('lets stock stored past the bound by older code go down, never up', () => {
      const legacy = stockIs(Number.MAX_SAFE_INTEGER);
      given([created, legacy])
        .when(adjust(-1))
        .then([{ type: 'ProductStockAdjusted', data: { productId, delta: -1, reason: '', stock: Number.MAX_SAFE_INTEGER - 1 } }]);
      given([created, legacy]).when(adjust(1)).thenThrows(IllegalStateError, stockLimit);
    });

    it('refuses a quantity past the bound, and a reservation that would take reserved past it', () => {
      const orderId = '7d0c4d3e-3b1f-4a8e-9f3a-5c2e1b0a9d8c';
      given([created])
        .when({ type: 'ReserveStock', data: { productId, orderId, quantity: UNITS_MAX + 1 } })
        .thenThrows(ValidationError);
      const legacy: ProductEvent[] = [
        stockIs(Number.MAX_SAFE_INTEGER),
        { type: 'ProductStockReserved', data: { productId, orderId, quantity: UNITS_MAX, reserved: UNITS_MAX } },
      ];
      given([created, ...legacy])
        .when({ type: 'ReserveStock', data: { productId, orderId, quantity: 1 } })
        .thenThrows(IllegalStateError, stockLimit);
    });
  });

  describe('a deleted product', () => {
    it.each<ProductCommand>([
      { type: 'UpdateProductDetails', data: { productId, name: 'x' } },
      { type: 'ChangeProductPrice', data: { productId, price: eur(1) } },
      { type: 'AdjustProductStock', data: { productId, delta: 1, reason: '' } },
      { type: 'DeleteProduct', data: { productId, reason: '' } },
    ])('refuses %j with FAILED_PRECONDITION', (command) => {
      given([created, deleted])
        .when(command)
        .thenThrows(IllegalStateError, (err) => expect(err.reason).toBe('PRODUCT_DELETED'));
    });
  });
});
