import type { Decider } from '@cqrs/decider';
import { AlreadyExistsError, IllegalStateError, NotFoundError, ValidationError, type FieldViolation } from '@cqrs/errors';
import type { ConfirmOrder, OrderCommand, PlaceOrder } from './order.commands';
import type { OrderEvent } from './order.events';
import { checkLines, checkReference, checkText, NOTES_MAX, REASON_MAX, throwIfAny, totalOf } from './order.rules';
import type { ExistingOrder, OrderState } from './order.state';
import type { OrderStatus } from './order.values';

export const ORDER_RESOURCE = 'order';

/**
 * The order's lifecycle: placed → confirmed or rejected (by the catalog's stock reservation) →
 * preparing → ready → served; cancelled from placed or confirmed. The outcomes of the reservation
 * arrive as commands from a reaction, which may be redelivered: a repeated confirmation or
 * rejection, or one that comes after a cancellation, changes nothing. Everything else out of turn
 * is FAILED_PRECONDITION naming the state the order is in.
 */
export const orderDecider: Decider<OrderState, OrderCommand, OrderEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  const { orderId } = command.data;
  switch (command.type) {
    case 'PlaceOrder':
      return place(command, state);
    case 'ConfirmOrder':
      return confirm(command, existing(state, orderId));
    case 'RejectOrder': {
      const order = existing(state, orderId);
      const violations: FieldViolation[] = [];
      const reason = checkText('reason', command.data.reason, REASON_MAX, violations);
      throwIfAny(violations);
      if (order.status === 'Rejected' || order.status === 'Cancelled') return [];
      require(order, ['Placed'], 'be rejected');
      return [{ type: 'OrderRejected', data: { orderId, reason } }];
    }
    case 'StartPreparing':
      require(existing(state, orderId), ['Confirmed'], 'start being prepared');
      return [{ type: 'OrderPreparationStarted', data: { orderId } }];
    case 'MarkReady':
      require(existing(state, orderId), ['Preparing'], 'be ready');
      return [{ type: 'OrderReady', data: { orderId } }];
    case 'MarkServed':
      require(existing(state, orderId), ['Ready'], 'be served');
      return [{ type: 'OrderServed', data: { orderId } }];
    case 'CancelOrder': {
      const order = existing(state, orderId);
      const violations: FieldViolation[] = [];
      const reason = checkText('reason', command.data.reason, REASON_MAX, violations);
      throwIfAny(violations);
      require(order, ['Placed', 'Confirmed'], 'be cancelled (only until it is being prepared)');
      return [{ type: 'OrderCancelled', data: { orderId, reason } }];
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function place(command: PlaceOrder, state: OrderState): OrderEvent[] {
  const { orderId, lines } = command.data;
  const violations: FieldViolation[] = [];
  const reference = checkReference(command.data.reference, violations);
  checkLines(lines, violations);
  const notes = checkText('notes', command.data.notes, NOTES_MAX, violations);
  throwIfAny(violations);
  if (state.status !== 'Empty') throw new AlreadyExistsError(`order ${orderId} already exists`, { metadata: { order_id: orderId } });
  // Ids as the catalog's streams name them: a UUID in lower case.
  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId,
        reference,
        lines: lines.map(({ productId, quantity }) => ({ productId: productId.toLowerCase(), quantity })),
        notes,
      },
    },
  ];
}

function confirm(command: ConfirmOrder, order: ExistingOrder): OrderEvent[] {
  if (['Confirmed', 'Preparing', 'Ready', 'Served', 'Cancelled'].includes(order.status)) return [];
  require(order, ['Placed'], 'be confirmed');
  const { lines } = command.data;
  const ordered = new Map(order.lines.map((line) => [line.productId, line.quantity]));
  const matches = lines.length === ordered.size && lines.every((line) => ordered.get(line.productId) === line.quantity);
  if (!matches) throw new ValidationError([{ field: 'lines', description: 'must be the lines of the order, each priced once' }]);
  return [{ type: 'OrderConfirmed', data: { orderId: order.orderId, lines, total: totalOf(lines) } }];
}

function existing(state: OrderState, orderId: string): ExistingOrder {
  if (state.status === 'Empty') throw new NotFoundError(ORDER_RESOURCE, orderId);
  return state;
}

function require(order: ExistingOrder, allowed: readonly OrderStatus[], action: string): void {
  if (allowed.includes(order.status)) return;
  throw new IllegalStateError(`order ${order.orderId} is ${order.status.toLowerCase()}; it cannot ${action}`, {
    reason: 'ORDER_STATE',
    metadata: { order_id: order.orderId, status: order.status.toUpperCase() },
  });
}

const NEXT_STATUS: Record<Exclude<OrderEvent['type'], 'OrderPlaced'>, OrderStatus> = {
  OrderConfirmed: 'Confirmed',
  OrderRejected: 'Rejected',
  OrderPreparationStarted: 'Preparing',
  OrderReady: 'Ready',
  OrderServed: 'Served',
  OrderCancelled: 'Cancelled',
};

function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const { orderId, reference, lines } = event.data;
    return { status: 'Placed', orderId, reference, lines };
  }
  return state.status === 'Empty' ? state : { ...state, status: NEXT_STATUS[event.type] };
}
