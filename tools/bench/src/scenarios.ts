import { randomUUID } from 'node:crypto';
import { catalogV1 } from '@cqrs/contracts';
import { unaryCall, type CatalogStack } from '@cqrs/testing';
import { latencyFigures, round, type Figure } from './figures';
import { ghz } from './ghz';

const eur = { currency_code: 'EUR', amount_minor: 250 };

/** Creates products through the command service; returns their ids and the last token. */
export async function seedProducts(stack: CatalogStack, count: number, concurrency = 16): Promise<{ ids: string[]; lastToken: string }> {
  const ids: string[] = [];
  let lastToken = '';
  let next = 0;
  const words = ['espresso', 'latte', 'mocha', 'crème', 'brûlée', 'tarte', 'tatin', 'canelé', 'madeleine', 'financier'];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const { response, error } = await unaryCall(
          stack.commands.createProduct.bind(stack.commands),
          catalogV1.CreateProductRequest.fromPartial({
            sku: `SEED-${randomUUID().slice(0, 13)}`,
            name: `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i}`,
            description: `A ${words[(i * 3) % words.length]} for the benchmark`,
            price: { currencyCode: 'EUR', amountMinor: 100 + (i % 900) },
            initialStock: 1_000_000,
          }),
        );
        if (error) throw error;
        ids.push(response?.ack?.aggregateId ?? '');
        lastToken = response?.ack?.consistencyToken ?? lastToken;
      }
    }),
  );
  return { ids, lastToken };
}

/** Command throughput with ghz: creates, adjustments on many products, adjustments on one hot product. */
export async function commandThroughput(
  stack: CatalogStack,
  productIds: readonly string[],
  concurrencies: readonly number[],
  total: number,
): Promise<Figure[]> {
  const address = `127.0.0.1:${stack.commandService.port}`;
  const figures: Figure[] = [];
  for (const c of concurrencies) {
    figures.push(
      await ghz('commands', `CreateProduct (c=${c})`, {
        call: 'catalog.v1.CommandService/CreateProduct',
        address,
        concurrency: c,
        total,
        data: { sku: 'B-{{.UUID}}', name: 'Bench {{.RequestNumber}}', price: eur, initial_stock: 10 },
      }),
    );
  }
  const many = productIds.map((id) => ({ product_id: id, delta: 1, reason: 'bench' }));
  for (const c of concurrencies) {
    figures.push(
      await ghz('commands', `AdjustProductStock, many products (c=${c})`, {
        call: 'catalog.v1.CommandService/AdjustProductStock',
        address,
        concurrency: c,
        total,
        data: many,
      }),
    );
  }
  const hot = { product_id: productIds[0], delta: 1, reason: 'bench' };
  for (const c of concurrencies) {
    figures.push(
      await ghz('commands', `AdjustProductStock, one hot product (c=${c})`, {
        call: 'catalog.v1.CommandService/AdjustProductStock',
        address,
        concurrency: c,
        total,
        data: hot,
      }),
    );
  }
  return figures;
}

/**
 * End-to-end visibility: commands sent at a fixed rate (open loop); for each, the time from its
 * acknowledgement until the query service answers a GetProduct that waits for its token.
 */
export async function visibility(
  stack: CatalogStack,
  productIds: readonly string[],
  ratePerSecond: number,
  durationMs: number,
  label: string,
): Promise<Figure> {
  const samples: number[] = [];
  const errorKinds: Record<string, number> = {};
  const failed = (error: { message: string } | undefined): void => {
    // One kind per status and message shape: ids, versions and timings would make each error its own kind.
    const kind = (error?.message ?? 'no acknowledgement')
      .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/gi, '<id>')
      .replace(/\d+(\.\d+)?/g, 'N');
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const count = Math.max(1, Math.round((ratePerSecond * durationMs) / 1000));
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const productId = productIds[i % productIds.length] ?? '';
    pending.push(
      (async () => {
        const { response, error } = await unaryCall(
          stack.commands.adjustProductStock.bind(stack.commands),
          catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1 }),
        );
        if (error || response?.ack === undefined) return failed(error);
        const acked = performance.now();
        const read = await unaryCall(
          stack.queries.getProduct.bind(stack.queries),
          catalogV1.GetProductRequest.fromPartial({ productId, consistency: { consistencyToken: response.ack.consistencyToken } }),
        );
        if (read.error) return failed(read.error);
        samples.push(performance.now() - acked);
      })(),
    );
  }
  await Promise.all(pending);
  return {
    scenario: 'visibility',
    name: label,
    rate: round(ratePerSecond, 1),
    ...latencyFigures(samples),
    errors: Object.values(errorKinds).reduce((a, b) => a + b, 0),
    errorKinds,
    target: 'p50 < 10 ms, p99 < 50 ms at 50 %',
  };
}

/** GetProduct throughput with ghz on the catalog the commands built (List and Search: see query-scaling). */
export async function queries(
  stack: CatalogStack,
  productIds: readonly string[],
  size: string,
  concurrency: number,
  total: number,
  durationS?: number,
): Promise<Figure[]> {
  const address = `127.0.0.1:${stack.queryService.port}`;
  return [
    await ghz('queries', `GetProduct, ${size} products (c=${concurrency})`, {
      call: 'catalog.v1.QueryService/GetProduct',
      address,
      concurrency,
      total,
      durationS,
      data: productIds.slice(0, 500).map((id) => ({ product_id: id })),
    }),
  ];
}
