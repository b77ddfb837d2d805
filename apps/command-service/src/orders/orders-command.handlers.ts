import { randomUUID } from 'node:crypto';
import { ordersV1 } from '@cqrs/contracts';
import type { OrderCommand } from '@cqrs/orders-domain';
import { unary, type RequestContext, type ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import type { CommandExecutor } from '@cqrs/write-store';
import { checkCommonFields, checkShape, checkUuid, throwIfViolations, type CommandRequestFields } from '../commands/command-request';
import { runCommand } from '../commands/run-command';
import { orderAggregate } from './order.aggregate';

const SERVICE = 'orders.v1.CommandService';

/** orders.v1.CommandService: each RPC checks its request, then runs one Order command. */
export function ordersCommandHandlers(executor: CommandExecutor, logger: Logger): ServiceHandlers<ordersV1.CommandServiceServer> {
  function run<Req extends CommandRequestFields>(
    method: string,
    request: Req,
    encode: (request: Req) => Uint8Array,
    orderId: string,
    command: OrderCommand,
    context: RequestContext,
  ) {
    return runCommand(executor, orderAggregate, { method: `${SERVICE}/${method}`, request, encode }, orderId, command, context);
  }

  function checked(request: CommandRequestFields & { orderId?: string }): void {
    checkShape(request);
    const violations: Parameters<typeof checkCommonFields>[1] = [];
    checkCommonFields(request, violations);
    if (request.orderId !== undefined) checkUuid('order_id', request.orderId, violations);
    throwIfViolations(violations);
  }

  /** The lifecycle steps that take nothing but the order id. */
  function step<Req extends CommandRequestFields & { orderId: string }>(
    method: string,
    type: 'StartPreparing' | 'MarkReady' | 'MarkServed',
    encode: (request: Req) => Uint8Array,
  ) {
    return unary(logger, async (request: Req, context) => {
      checked(request);
      return run(
        method,
        request,
        encode,
        request.orderId.toLowerCase(),
        { type, data: { orderId: request.orderId.toLowerCase() } },
        context,
      );
    });
  }

  return {
    placeOrder: unary(logger, async (request: ordersV1.PlaceOrderRequest, context) => {
      checked(request);
      // A retry with the same request id finds its first result before this id is used.
      const orderId = randomUUID();
      const reference = {
        ...(request.reference?.table !== undefined ? { table: request.reference.table } : {}),
        ...(request.reference?.customer !== undefined ? { customer: request.reference.customer } : {}),
      };
      return run(
        'PlaceOrder',
        request,
        (r) => ordersV1.PlaceOrderRequest.encode(r).finish(),
        orderId,
        {
          type: 'PlaceOrder',
          data: {
            orderId,
            reference,
            lines: request.lines.map(({ productId, quantity }) => ({ productId, quantity })),
            notes: request.notes,
          },
        },
        context,
      );
    }),
    startPreparingOrder: step('StartPreparingOrder', 'StartPreparing', (r: ordersV1.StartPreparingOrderRequest) =>
      ordersV1.StartPreparingOrderRequest.encode(r).finish(),
    ),
    markOrderReady: step('MarkOrderReady', 'MarkReady', (r: ordersV1.MarkOrderReadyRequest) =>
      ordersV1.MarkOrderReadyRequest.encode(r).finish(),
    ),
    markOrderServed: step('MarkOrderServed', 'MarkServed', (r: ordersV1.MarkOrderServedRequest) =>
      ordersV1.MarkOrderServedRequest.encode(r).finish(),
    ),
    cancelOrder: unary(logger, async (request: ordersV1.CancelOrderRequest, context) => {
      checked(request);
      return run(
        'CancelOrder',
        request,
        (r) => ordersV1.CancelOrderRequest.encode(r).finish(),
        request.orderId.toLowerCase(),
        {
          type: 'CancelOrder',
          data: { orderId: request.orderId.toLowerCase(), reason: request.reason },
        },
        context,
      );
    }),
  };
}
