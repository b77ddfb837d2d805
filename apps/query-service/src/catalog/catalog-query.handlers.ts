import { catalogV1 } from '@cqrs/contracts';
import { MIN_TOKEN_LENGTH, queryTokens, toProductView } from '@cqrs/catalog-read-model';
import { NotFoundError, ValidationError } from '@cqrs/errors';
import { serverStream, unary, type ServiceHandlers } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { readWhenCaughtUp, requirementOf, waitForView } from '../consistency/read-consistency';
import type { ViewChanges } from '../consistency/view-changes';
import type { WatchStreams } from '../consistency/watch-streams';
import { pageSizeOf } from '../paging/page-token';
import { checkSearchWords, checkShape } from '../requests/query-shape';
import type { ProductQueries } from './product-queries';

const STREAM_TYPE = 'catalog.product';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CatalogQueryOptions {
  /** Longest read-your-writes wait, whatever the caller's deadline. */
  readonly maxWaitMs: number;
}

/** catalog.v1.QueryService over the product views. */
export function catalogQueryHandlers(
  queries: ProductQueries,
  changes: ViewChanges,
  watches: WatchStreams,
  logger: Logger,
  options: CatalogQueryOptions,
): ServiceHandlers<catalogV1.QueryServiceServer> {
  return {
    getProduct: unary(logger, async (request: catalogV1.GetProductRequest, context) => {
      checkShape(request);
      checkProductId(request.productId);
      const productId = request.productId.toLowerCase();
      const requirement = requirementOf(request.consistency, STREAM_TYPE, productId);
      const view = await readWhenCaughtUp(
        requirement,
        productId,
        () => queries.get(productId),
        () => queries.version(requirement?.aggregateId ?? productId),
        changes,
        context,
        options.maxWaitMs,
      );
      if (view === undefined || view.deleted) throw new NotFoundError('product', productId);
      return { product: toProductView(view) };
    }),

    listProducts: unary(logger, async (request: catalogV1.ListProductsRequest, context) => {
      checkShape(request);
      const pageSize = pageSizeOf(request.pageSize);
      const requirement = requirementOf(request.consistency, STREAM_TYPE);
      await waitForView(requirement, () => queries.version(requirement?.aggregateId ?? ''), changes, context, options.maxWaitMs);
      const page = await queries.list(request, pageSize);
      return { products: page.products.map(toProductView), nextPageToken: page.nextPageToken };
    }),

    searchProducts: unary(logger, async (request: catalogV1.SearchProductsRequest, context) => {
      checkShape(request);
      const pageSize = pageSizeOf(request.pageSize);
      const tokens = queryTokens(request.query);
      checkSearchWords(tokens, MIN_TOKEN_LENGTH);
      const requirement = requirementOf(request.consistency, STREAM_TYPE);
      await waitForView(requirement, () => queries.version(requirement?.aggregateId ?? ''), changes, context, options.maxWaitMs);
      const page = await queries.search(tokens, request.pageToken, pageSize);
      return { products: page.products.map(toProductView), nextPageToken: page.nextPageToken };
    }),

    watchProduct: serverStream(logger, async (request: catalogV1.WatchProductRequest, send, context) => {
      checkShape(request);
      checkProductId(request.productId);
      const productId = request.productId.toLowerCase();
      await watches.run(async () => {
        // Subscribed before the first read, so a change made during it is not lost. Each read
        // follows a notification that came since the last read began: a notice the view store does
        // not show yet (a rebuild's catch-up, a notice ahead of the read) cannot loop the stream.
        const notifications = changes.subscribe({ streamType: STREAM_TYPE, aggregateId: productId }, context.signal);
        try {
          let sent = 0;
          do {
            const view = await watches.read(context.signal, () => queries.get(productId));
            if (view === undefined && sent === 0) throw new NotFoundError('product', productId);
            if (view !== undefined && view.version > sent) {
              sent = view.version;
              await send({ product: toProductView(view), deleted: view.deleted });
              if (view.deleted) return;
            }
          } while (!(await notifications.next()).done);
        } finally {
          void notifications.return();
        }
      });
    }),
  };
}

function checkProductId(productId: string): void {
  if (!UUID.test(productId)) throw new ValidationError([{ field: 'product_id', description: 'must be a UUID' }]);
}
