import { catalogV1 } from '@cqrs/contracts';
import { quote } from '@cqrs/errors';
import type { ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import type { CommandExecutor } from '@cqrs/write-store';
import { commandRpcs } from '../commands/run-command';
import { productAggregate } from './product.aggregate';

const DETAIL_FIELDS = ['name', 'description'] as const;
const PRODUCT_ID = { field: 'product_id', of: (request: { productId: string }) => request.productId };

/** catalog.v1.CommandService: each RPC checks its request, then runs one Product command. */
export function catalogCommandHandlers(executor: CommandExecutor, logger: Logger): ServiceHandlers<catalogV1.CommandServiceServer> {
  const rpc = commandRpcs(executor, productAggregate, logger);
  const methods = catalogV1.CommandServiceService;
  return {
    createProduct: rpc(methods.createProduct, {
      id: 'new',
      command: ({ sku, name, description, price, initialStock }, productId) => ({
        type: 'CreateProduct',
        data: { productId, sku, name, description, price, initialStock },
      }),
    }),

    updateProductDetails: rpc(methods.updateProductDetails, {
      id: PRODUCT_ID,
      check: (request, violations) => {
        const unknown = (request.updateMask ?? []).filter((p) => !(DETAIL_FIELDS as readonly string[]).includes(p));
        if (unknown.length > 0)
          violations.push({
            field: 'update_mask.paths',
            description: `may only name ${DETAIL_FIELDS.join(' and ')} (got ${unknown.map(quote).join(', ')})`,
          });
      },
      command: (request, productId) => {
        const paths = request.updateMask ?? [];
        const fields = paths.length === 0 ? DETAIL_FIELDS : DETAIL_FIELDS.filter((f) => paths.includes(f));
        return {
          type: 'UpdateProductDetails',
          data: {
            productId,
            ...(fields.includes('name') ? { name: request.name } : {}),
            ...(fields.includes('description') ? { description: request.description } : {}),
          },
        };
      },
    }),

    changeProductPrice: rpc(methods.changeProductPrice, {
      id: PRODUCT_ID,
      command: (request, productId) => ({ type: 'ChangeProductPrice', data: { productId, price: request.price } }),
    }),

    adjustProductStock: rpc(methods.adjustProductStock, {
      id: PRODUCT_ID,
      command: (request, productId) => ({ type: 'AdjustProductStock', data: { productId, delta: request.delta, reason: request.reason } }),
    }),

    deleteProduct: rpc(methods.deleteProduct, {
      id: PRODUCT_ID,
      command: (request, productId) => ({ type: 'DeleteProduct', data: { productId, reason: request.reason } }),
    }),
  };
}
