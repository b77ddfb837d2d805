import { randomUUID } from 'node:crypto';
import { catalogV1 } from '@cqrs/contracts';
import type { ProductCommand } from '@cqrs/catalog-domain';
import { quote, type FieldViolation } from '@cqrs/errors';
import { unary, type RequestContext, type ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import type { CommandExecutor } from '@cqrs/write-store';
import { checkCommonFields, checkShape, checkUuid, throwIfViolations, type CommandRequestFields } from '../commands/command-request';
import { runCommand } from '../commands/run-command';
import { productAggregate } from './product.aggregate';

const SERVICE = 'catalog.v1.CommandService';
const DETAIL_FIELDS = ['name', 'description'] as const;

/** catalog.v1.CommandService: each RPC checks its request, then runs one Product command. */
export function catalogCommandHandlers(executor: CommandExecutor, logger: Logger): ServiceHandlers<catalogV1.CommandServiceServer> {
  function run<Req extends CommandRequestFields>(
    method: string,
    request: Req,
    encode: (request: Req) => Uint8Array,
    aggregateId: string,
    command: ProductCommand,
    context: RequestContext,
  ) {
    return runCommand(executor, productAggregate, { method: `${SERVICE}/${method}`, request, encode }, aggregateId, command, context);
  }

  function checked(request: CommandRequestFields & { productId?: string }, more: (violations: FieldViolation[]) => void = () => undefined) {
    checkShape(request);
    const violations: FieldViolation[] = [];
    checkCommonFields(request, violations);
    if (request.productId !== undefined) checkUuid('product_id', request.productId, violations);
    more(violations);
    throwIfViolations(violations);
  }

  return {
    createProduct: unary(logger, async (request: catalogV1.CreateProductRequest, context) => {
      checked(request);
      // A retry with the same request id finds its first result before this id is used.
      const productId = randomUUID();
      const { sku, name, description, price, initialStock } = request;
      return run(
        'CreateProduct',
        request,
        (r) => catalogV1.CreateProductRequest.encode(r).finish(),
        productId,
        {
          type: 'CreateProduct',
          data: { productId, sku, name, description, price, initialStock },
        },
        context,
      );
    }),

    updateProductDetails: unary(logger, async (request: catalogV1.UpdateProductDetailsRequest, context) => {
      const paths = request.updateMask ?? [];
      checked(request, (violations) => {
        const unknown = paths.filter((p: string) => !(DETAIL_FIELDS as readonly string[]).includes(p));
        if (unknown.length > 0)
          violations.push({
            field: 'update_mask.paths',
            description: `may only name ${DETAIL_FIELDS.join(' and ')} (got ${unknown.map(quote).join(', ')})`,
          });
      });
      const fields = paths.length === 0 ? DETAIL_FIELDS : DETAIL_FIELDS.filter((f) => paths.includes(f));
      return run(
        'UpdateProductDetails',
        request,
        (r) => catalogV1.UpdateProductDetailsRequest.encode(r).finish(),
        request.productId.toLowerCase(),
        {
          type: 'UpdateProductDetails',
          data: {
            productId: request.productId.toLowerCase(),
            ...(fields.includes('name') ? { name: request.name } : {}),
            ...(fields.includes('description') ? { description: request.description } : {}),
          },
        },
        context,
      );
    }),

    changeProductPrice: unary(logger, async (request: catalogV1.ChangeProductPriceRequest, context) => {
      checked(request);
      return run(
        'ChangeProductPrice',
        request,
        (r) => catalogV1.ChangeProductPriceRequest.encode(r).finish(),
        request.productId.toLowerCase(),
        {
          type: 'ChangeProductPrice',
          data: { productId: request.productId.toLowerCase(), price: request.price },
        },
        context,
      );
    }),

    adjustProductStock: unary(logger, async (request: catalogV1.AdjustProductStockRequest, context) => {
      checked(request);
      return run(
        'AdjustProductStock',
        request,
        (r) => catalogV1.AdjustProductStockRequest.encode(r).finish(),
        request.productId.toLowerCase(),
        {
          type: 'AdjustProductStock',
          data: { productId: request.productId.toLowerCase(), delta: request.delta, reason: request.reason },
        },
        context,
      );
    }),

    deleteProduct: unary(logger, async (request: catalogV1.DeleteProductRequest, context) => {
      checked(request);
      return run(
        'DeleteProduct',
        request,
        (r) => catalogV1.DeleteProductRequest.encode(r).finish(),
        request.productId.toLowerCase(),
        {
          type: 'DeleteProduct',
          data: { productId: request.productId.toLowerCase(), reason: request.reason },
        },
        context,
      );
    }),
  };
}
