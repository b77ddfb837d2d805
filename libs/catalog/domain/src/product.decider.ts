import type { Decider } from '@cqrs/decider';
import {
  AlreadyExistsError,
  IllegalStateError,
  isWithin,
  NotFoundError,
  UNITS_MAX,
  ValidationError,
  type FieldViolation,
} from '@cqrs/errors';
import { moneyViolations } from './money';
import type {
  AdjustProductStock,
  ChangeProductPrice,
  ConsumeStock,
  CreateProduct,
  DeleteProduct,
  ProductCommand,
  ReleaseStock,
  ReserveStock,
  UpdateProductDetails,
} from './product.commands';
import type { ProductEvent } from './product.events';
import { checkDescription, checkName, checkReason, checkSku, throwIfAny } from './product.rules';
import type { ActiveProduct, ProductState } from './product.state';

export const PRODUCT_RESOURCE = 'product';

export const productDecider: Decider<ProductState, ProductCommand, ProductEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function decide(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.type) {
    case 'CreateProduct':
      return create(command, state);
    case 'UpdateProductDetails':
      return updateDetails(command, active(state, command.data.productId));
    case 'ChangeProductPrice':
      return changePrice(command, active(state, command.data.productId));
    case 'AdjustProductStock':
      return adjustStock(command, active(state, command.data.productId));
    case 'DeleteProduct':
      return remove(command, active(state, command.data.productId));
    case 'ReserveStock':
      return reserve(command, active(state, command.data.productId));
    case 'ReleaseStock':
      return release(command, active(state, command.data.productId));
    case 'ConsumeStock':
      return consume(command, active(state, command.data.productId));
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function create(command: CreateProduct, state: ProductState): ProductEvent[] {
  const { productId, price, initialStock } = command.data;
  const violations: FieldViolation[] = [];
  const sku = checkSku(command.data.sku, violations);
  const name = checkName(command.data.name, violations);
  const description = checkDescription(command.data.description, violations);
  violations.push(...moneyViolations(price, 'price'));
  if (!isWithin(initialStock, 0, UNITS_MAX))
    violations.push({ field: 'initial_stock', description: `must be a whole number from 0 to ${UNITS_MAX}` });
  throwIfAny(violations);
  if (state.status !== 'Empty')
    throw new AlreadyExistsError(`product ${productId} already exists`, { metadata: { product_id: productId } });
  if (price === undefined) throw new ValidationError([{ field: 'price', description: 'is required' }]);
  return [{ type: 'ProductCreated', data: { productId, sku, name, description, price, initialStock } }];
}

function updateDetails(command: UpdateProductDetails, state: ActiveProduct): ProductEvent[] {
  const violations: FieldViolation[] = [];
  const name = command.data.name === undefined ? undefined : checkName(command.data.name, violations);
  const description = command.data.description === undefined ? undefined : checkDescription(command.data.description, violations);
  if (name === undefined && description === undefined)
    violations.push({ field: 'update_mask', description: 'must name at least one of "name" and "description"' });
  throwIfAny(violations);
  const changed = {
    ...(name !== undefined && name !== state.name ? { name } : {}),
    ...(description !== undefined && description !== state.description ? { description } : {}),
  };
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'ProductDetailsUpdated', data: { productId: state.productId, ...changed } }];
}

function changePrice(command: ChangeProductPrice, state: ActiveProduct): ProductEvent[] {
  const { price } = command.data;
  throwIfAny(moneyViolations(price, 'price'));
  if (price === undefined) throw new ValidationError([{ field: 'price', description: 'is required' }]);
  if (price.currencyCode === state.price.currencyCode && price.amountMinor === state.price.amountMinor) return [];
  return [{ type: 'ProductPriceChanged', data: { productId: state.productId, previousPrice: state.price, price } }];
}

function adjustStock(command: AdjustProductStock, state: ActiveProduct): ProductEvent[] {
  const { delta } = command.data;
  const violations: FieldViolation[] = [];
  if (!isWithin(delta, -UNITS_MAX, UNITS_MAX) || delta === 0)
    violations.push({ field: 'delta', description: `must be a whole number from -${UNITS_MAX} to ${UNITS_MAX}, other than zero` });
  const reason = checkReason(command.data.reason, violations);
  throwIfAny(violations);
  const stock = state.stock + delta;
  // Only an increase is held to the bound: stock stored beyond it by older code can still go down.
  if (delta > 0 && stock > UNITS_MAX) throw stockLimit(state, 'stock on hand', state.stock, delta);
  if (stock < 0) {
    throw new IllegalStateError(`stock of product ${state.productId} is ${state.stock}; it cannot go down by ${-delta}`, {
      reason: 'INSUFFICIENT_STOCK',
      metadata: { product_id: state.productId, stock: String(state.stock), delta: String(delta) },
    });
  }
  if (stock < state.reserved) {
    throw new IllegalStateError(
      `product ${state.productId} has ${state.stock} on hand of which ${state.reserved} are reserved for orders; it cannot go down by ${-delta}`,
      {
        reason: 'STOCK_RESERVED',
        metadata: { product_id: state.productId, stock: String(state.stock), reserved: String(state.reserved), delta: String(delta) },
      },
    );
  }
  return [{ type: 'ProductStockAdjusted', data: { productId: state.productId, delta, reason, stock } }];
}

function remove(command: DeleteProduct, state: ActiveProduct): ProductEvent[] {
  const violations: FieldViolation[] = [];
  const reason = checkReason(command.data.reason, violations);
  throwIfAny(violations);
  if (state.reserved > 0) {
    throw new IllegalStateError(
      `product ${state.productId} has ${state.reserved} units reserved for orders; it can be deleted once they are served or cancelled`,
      {
        reason: 'STOCK_RESERVED',
        metadata: { product_id: state.productId, reserved: String(state.reserved) },
      },
    );
  }
  return [{ type: 'ProductDeleted', data: { productId: state.productId, reason } }];
}

function reserve(command: ReserveStock, state: ActiveProduct): ProductEvent[] {
  const { orderId, quantity } = command.data;
  checkQuantity(quantity);
  const available = state.stock - state.reserved;
  if (quantity > available) {
    throw new IllegalStateError(`product ${state.productId} has ${available} available; the order asks for ${quantity}`, {
      reason: 'INSUFFICIENT_STOCK',
      metadata: { product_id: state.productId, available: String(available), quantity: String(quantity) },
    });
  }
  if (state.reserved + quantity > UNITS_MAX) throw stockLimit(state, 'reserved stock', state.reserved, quantity);
  return [{ type: 'ProductStockReserved', data: { productId: state.productId, orderId, quantity, reserved: state.reserved + quantity } }];
}

function release(command: ReleaseStock, state: ActiveProduct): ProductEvent[] {
  const { orderId, quantity } = command.data;
  checkQuantity(quantity);
  checkReserved(state, quantity);
  return [{ type: 'ProductStockReleased', data: { productId: state.productId, orderId, quantity, reserved: state.reserved - quantity } }];
}

function consume(command: ConsumeStock, state: ActiveProduct): ProductEvent[] {
  const { orderId, quantity } = command.data;
  checkQuantity(quantity);
  checkReserved(state, quantity);
  return [
    {
      type: 'ProductStockConsumed',
      data: { productId: state.productId, orderId, quantity, stock: state.stock - quantity, reserved: state.reserved - quantity },
    },
  ];
}

function checkQuantity(quantity: number): void {
  if (!isWithin(quantity, 1, UNITS_MAX))
    throw new ValidationError([{ field: 'quantity', description: `must be a whole number from 1 to ${UNITS_MAX}` }]);
}

function stockLimit(state: ActiveProduct, what: string, current: number, increase: number): IllegalStateError {
  return new IllegalStateError(
    `${what} of product ${state.productId} is ${current}; it cannot go up by ${increase}, past ${UNITS_MAX} units`,
    {
      reason: 'STOCK_LIMIT_EXCEEDED',
      metadata: { product_id: state.productId, current: String(current), increase: String(increase), limit: String(UNITS_MAX) },
    },
  );
}

/** Releasing or consuming more than is reserved would mean a reservation was applied twice. */
function checkReserved(state: ActiveProduct, quantity: number): void {
  if (quantity > state.reserved) {
    throw new IllegalStateError(`product ${state.productId} has ${state.reserved} reserved; ${quantity} cannot be given back`, {
      reason: 'NOT_RESERVED',
      metadata: { product_id: state.productId, reserved: String(state.reserved), quantity: String(quantity) },
    });
  }
}

/** The product if it exists and is not deleted; NOT_FOUND or FAILED_PRECONDITION otherwise. */
function active(state: ProductState, productId: string): ActiveProduct {
  if (state.status === 'Empty') throw new NotFoundError(PRODUCT_RESOURCE, productId);
  if (state.status === 'Deleted') {
    throw new IllegalStateError(`product ${productId} is deleted; nothing can change it`, {
      reason: 'PRODUCT_DELETED',
      metadata: { product_id: productId },
    });
  }
  return state;
}

function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductCreated': {
      const { productId, sku, name, description, price, initialStock } = event.data;
      return { status: 'Active', productId, sku, name, description, price, stock: initialStock, reserved: 0 };
    }
    case 'ProductDetailsUpdated':
      return state.status === 'Active' ? { ...state, ...definedOnly(event.data) } : state;
    case 'ProductPriceChanged':
      return state.status === 'Active' ? { ...state, price: event.data.price } : state;
    case 'ProductStockAdjusted':
      return state.status === 'Active' ? { ...state, stock: event.data.stock } : state;
    case 'ProductDeleted':
      return state.status === 'Active' ? { status: 'Deleted', productId: state.productId, sku: state.sku } : state;
    case 'ProductStockReserved':
    case 'ProductStockReleased':
      return state.status === 'Active' ? { ...state, reserved: event.data.reserved } : state;
    case 'ProductStockConsumed':
      return state.status === 'Active' ? { ...state, stock: event.data.stock, reserved: event.data.reserved } : state;
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown event ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function definedOnly(data: { name?: string; description?: string }) {
  return {
    ...(data.name !== undefined ? { name: data.name } : {}),
    ...(data.description !== undefined ? { description: data.description } : {}),
  };
}
