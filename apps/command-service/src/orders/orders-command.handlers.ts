import { ordersV1 } from '@cqrs/contracts';
import type { ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import type { CommandExecutor } from '@cqrs/write-store';
import { commandRpcs } from '../commands/run-command';
import { orderAggregate } from './order.aggregate';

const ORDER_ID = { field: 'order_id', of: (request: { orderId: string }) => request.orderId };

/** orders.v1.CommandService: each RPC checks its request, then runs one Order command. */
export function ordersCommandHandlers(executor: CommandExecutor, logger: Logger): ServiceHandlers<ordersV1.CommandServiceServer> {
  const rpc = commandRpcs(executor, orderAggregate, logger);
  const methods = ordersV1.CommandServiceService;
  /** The lifecycle steps that take nothing but the order id. */
  const step = (type: 'StartPreparing' | 'MarkReady' | 'MarkServed') => ({
    id: ORDER_ID,
    command: (_request: unknown, orderId: string) => ({ type, data: { orderId } }),
  });

  return {
    placeOrder: rpc(methods.placeOrder, {
      id: 'new',
      command: (request, orderId) => ({
        type: 'PlaceOrder',
        data: {
          orderId,
          reference: {
            ...(request.reference?.table !== undefined ? { table: request.reference.table } : {}),
            ...(request.reference?.customer !== undefined ? { customer: request.reference.customer } : {}),
          },
          lines: request.lines.map(({ productId, quantity }) => ({ productId, quantity })),
          notes: request.notes,
        },
      }),
    }),
    startPreparingOrder: rpc(methods.startPreparingOrder, step('StartPreparing')),
    markOrderReady: rpc(methods.markOrderReady, step('MarkReady')),
    markOrderServed: rpc(methods.markOrderServed, step('MarkServed')),
    cancelOrder: rpc(methods.cancelOrder, {
      id: ORDER_ID,
      command: (request, orderId) => ({ type: 'CancelOrder', data: { orderId, reason: request.reason } }),
    }),
  };
}
