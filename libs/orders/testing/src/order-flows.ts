import { randomUUID } from 'node:crypto';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { unaryCall, type CatalogStack } from '@cqrs/testing';

/** Steps of an order's flow through the generated clients, for end-to-end tests. */
export function orderFlows(stack: CatalogStack) {
  const must = <T>(outcome: { response?: T; error?: Error }): T => {
    if (outcome.error !== undefined || outcome.response === undefined) throw outcome.error ?? new Error('no response');
    return outcome.response;
  };
  return {
    async createProduct(name: string, stock: number, amountMinor = 500): Promise<string> {
      const request = catalogV1.CreateProductRequest.fromPartial({
        sku: `S-${randomUUID().slice(0, 12)}`,
        name,
        price: { currencyCode: 'EUR', amountMinor },
        initialStock: stock,
      });
      return must(await unaryCall(stack.commands.createProduct.bind(stack.commands), request)).ack?.aggregateId ?? '';
    },
    place(lines: Array<[string, number]>, reference: ordersV1.OrderReference = { table: '7' }, requestId = '') {
      const request = ordersV1.PlaceOrderRequest.fromPartial({
        requestId,
        reference,
        lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
      });
      return unaryCall(stack.orderCommands.placeOrder.bind(stack.orderCommands), request);
    },
    async placed(lines: Array<[string, number]>, reference?: ordersV1.OrderReference) {
      return must(await this.place(lines, reference)).ack ?? { aggregateId: '', version: 0, consistencyToken: '' };
    },
    /** The order's view once confirmed or rejected (waits within the deadline). */
    async decided(orderId: string, consistencyToken = '', deadlineMs = 30_000): Promise<ordersV1.OrderView> {
      const request = ordersV1.GetOrderRequest.fromPartial({ orderId, waitUntilDecided: true, consistency: { consistencyToken } });
      return must(await unaryCall(stack.orderQueries.getOrder.bind(stack.orderQueries), request, {}, { deadline: Date.now() + deadlineMs }))
        .order as ordersV1.OrderView;
    },
    product(productId: string, consistencyToken = '') {
      return unaryCall(
        stack.queries.getProduct.bind(stack.queries),
        catalogV1.GetProductRequest.fromPartial({ productId, consistency: { consistencyToken } }),
      );
    },
  };
}
