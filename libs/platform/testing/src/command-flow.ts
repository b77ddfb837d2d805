import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { catalogV1 } from '@cqrs/contracts';
import { unaryCall } from './unary-call';

/** Commands sent one after another in the background, as a client under an outage would send them. */
export interface CommandFlow {
  /** Each product's last acknowledged version. */
  readonly acked: ReadonlyMap<string, number>;
  /** Every error the commands answered, in order. */
  readonly errors: readonly ServiceError[];
  /** Commands acknowledged so far. */
  readonly succeeded: () => number;
  /** Stops sending and waits for the command in flight. */
  stop(): Promise<void>;
}

/**
 * Creates `products` products, then keeps adjusting their stock round-robin (a new product now and
 * then) until stopped; a failed command is recorded and the flow goes on after `pauseMs`.
 */
export async function startCommandFlow(
  commands: catalogV1.CommandServiceClient,
  { products = 4, pauseMs = 20, deadlineMs = 5_000 } = {},
): Promise<CommandFlow> {
  const acked = new Map<string, number>();
  const errors: ServiceError[] = [];
  let succeeded = 0;
  let stopped = false;
  const options = () => ({ deadline: Date.now() + deadlineMs });
  const create = async () => {
    const request = catalogV1.CreateProductRequest.fromPartial({
      sku: `FLOW-${randomUUID().slice(0, 8)}`,
      name: 'Ristretto',
      price: { currencyCode: 'EUR', amountMinor: 230 },
      initialStock: 1,
    });
    const { response, error } = await unaryCall(commands.createProduct.bind(commands), request, {}, options());
    if (error) errors.push(error);
    else if (response?.ack) acked.set(response.ack.aggregateId, response.ack.version);
    return error === undefined;
  };
  while (acked.size < products) if (!(await create())) throw errors[errors.length - 1];
  succeeded = acked.size;

  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const ids = [...acked.keys()];
      const productId = ids[i % ids.length] ?? '';
      const ok =
        i % 50 === 49
          ? await create()
          : await unaryCall(
              commands.adjustProductStock.bind(commands),
              catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1, reason: 'flow' }),
              {},
              options(),
            ).then(({ response, error }) => {
              if (error) errors.push(error);
              else if (response?.ack) acked.set(productId, response.ack.version);
              return error === undefined;
            });
      if (ok) succeeded++;
      await new Promise((resolve) => setTimeout(resolve, ok ? pauseMs : pauseMs * 5));
    }
  })();
  return {
    acked,
    errors,
    succeeded: () => succeeded,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
