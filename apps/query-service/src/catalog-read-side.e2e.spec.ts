import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { catalogV1, commonV1, eventSubject } from '@cqrs/contracts';
import { errorInfoOf, fieldViolationsOf } from '@cqrs/grpc-kit';
import {
  eventually,
  grpcurl,
  isolatedEnvironment,
  startCatalogStack,
  unaryCall,
  type CatalogStack,
  type IsolatedEnvironment,
} from '@cqrs/testing';

jest.setTimeout(180_000);

let isolated: IsolatedEnvironment;
let stack: CatalogStack;
let nc: NatsConnection;

beforeAll(async () => {
  isolated = isolatedEnvironment();
  stack = await startCatalogStack({ ...isolated.env, PROJECTOR_MAX_DELIVERIES: '2', PROJECTOR_RETRY_DELAY_MS: '50' });
  nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
});

afterAll(async () => {
  await nc?.close();
  await stack?.stop();
  await isolated?.cleanup();
});

const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
const prefix = () => isolated.env['NATS_SUBJECT_PREFIX'] ?? '';

async function create(name: string, extra: Partial<catalogV1.CreateProductRequest> = {}) {
  const { response, error } = await unaryCall(
    stack.commands.createProduct.bind(stack.commands),
    catalogV1.CreateProductRequest.fromPartial({ sku: `S-${randomUUID().slice(0, 12)}`, name, price: eur(500), initialStock: 3, ...extra }),
  );
  if (error || response?.ack === undefined) throw error ?? new Error('no ack');
  return response.ack;
}

const get = (productId: string, consistencyToken = '', minVersion = 0) =>
  unaryCall(
    stack.queries.getProduct.bind(stack.queries),
    catalogV1.GetProductRequest.fromPartial({ productId, consistency: { consistencyToken, minVersion } }),
  );

describe('read your writes, end to end through all three apps', () => {
  it('sees a created product at once with its consistency token', async () => {
    const ack = await create('Crème Brûlée', { description: 'Vanilla custard' });
    const { response, error } = await get(ack.aggregateId, ack.consistencyToken);
    expect(error).toBeUndefined();
    expect(response?.product).toMatchObject({
      productId: ack.aggregateId,
      name: 'Crème Brûlée',
      version: 1,
      price: eur(500),
      stock: 3,
      inStock: true,
    });
  });

  it('sees an update, finds it by a word prefix in any case and accent, and answers NOT_FOUND after delete', async () => {
    const created = await create('Pain au chocolat');
    const { response } = await unaryCall(
      stack.commands.updateProductDetails.bind(stack.commands),
      catalogV1.UpdateProductDetailsRequest.fromPartial({
        productId: created.aggregateId,
        name: 'Pain aux raisins',
        description: 'Brioche dough',
        updateMask: ['name', 'description'],
      }),
    );
    const token = response?.ack?.consistencyToken ?? '';
    expect((await get(created.aggregateId, token)).response?.product?.name).toBe('Pain aux raisins');

    const search = (query: string) =>
      unaryCall(
        stack.queries.searchProducts.bind(stack.queries),
        catalogV1.SearchProductsRequest.fromPartial({ query, consistency: { consistencyToken: token } }),
      );
    expect((await search('RAIS')).response?.products.map((p) => p.productId)).toEqual([created.aggregateId]);
    expect((await search('brïo pain')).response?.products.map((p) => p.productId)).toEqual([created.aggregateId]);
    expect((await search('chocolat')).response?.products.map((p) => p.productId)).not.toContain(created.aggregateId);

    const deleted = await unaryCall(
      stack.commands.deleteProduct.bind(stack.commands),
      catalogV1.DeleteProductRequest.fromPartial({ productId: created.aggregateId }),
    );
    expect((await get(created.aggregateId, deleted.response?.ack?.consistencyToken)).error?.code).toBe(Status.NOT_FOUND);
  });

  it('answers FAILED_PRECONDITION with the current version when the view cannot catch up in time', async () => {
    const ack = await create('Madeleine');
    await get(ack.aggregateId, ack.consistencyToken);
    const { error } = await unaryCall(
      stack.queries.getProduct.bind(stack.queries),
      catalogV1.GetProductRequest.fromPartial({ productId: ack.aggregateId, consistency: { minVersion: 9 } }),
      {},
      { deadline: Date.now() + 500 },
    );
    expect(error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorInfoOf(error?.metadata)).toMatchObject({
      reason: 'VIEW_NOT_CAUGHT_UP',
      metadata: { current_version: '1', required_version: '9', notifications: 'up' },
    });
  });

  it('streams a watched product each time it changes, and ends after delete', async () => {
    const ack = await create('Canelé');
    await get(ack.aggregateId, ack.consistencyToken);
    const seen: catalogV1.WatchProductResponse[] = [];
    const call = stack.queries.watchProduct(catalogV1.WatchProductRequest.fromPartial({ productId: ack.aggregateId }));
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (message: catalogV1.WatchProductResponse) => seen.push(message));
      call.on('end', resolve);
      call.on('error', reject);
    });
    await eventually(() => expect(seen).toHaveLength(1));
    await unaryCall(
      stack.commands.adjustProductStock.bind(stack.commands),
      catalogV1.AdjustProductStockRequest.fromPartial({ productId: ack.aggregateId, delta: 4 }),
    );
    await eventually(() => expect(seen).toHaveLength(2));
    await unaryCall(
      stack.commands.deleteProduct.bind(stack.commands),
      catalogV1.DeleteProductRequest.fromPartial({ productId: ack.aggregateId }),
    );
    await ended;
    expect(seen.map((m) => [m.product?.version, m.product?.stock, m.deleted])).toEqual([
      [1, 3, false],
      [2, 7, false],
      [3, 7, true],
    ]);
  });
});

describe('paging', () => {
  it('pages through 250 products while others are being created: nothing skipped, nothing repeated', async () => {
    const batch = `Batch ${randomUUID().slice(0, 6)}`;
    const existing: string[] = [];
    for (let i = 0; i < 250; i += 10) {
      existing.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, k) => create(`${batch} ${String(i + k).padStart(3, '0')}`)))).map(
          (a) => a.aggregateId,
        ),
      );
    }
    const lastToken = (await create(`${batch} last`)).consistencyToken;
    await get(existing[0] ?? '', lastToken);
    await eventually(async () => expect((await get(existing[existing.length - 1] ?? '')).response?.product).toBeDefined(), {
      timeoutMs: 60_000,
    });

    let creating = true;
    const concurrent = (async () => {
      let n = 0;
      while (creating) await create(`${batch} concurrent ${n++}`);
    })();
    const seen: string[] = [];
    let pageToken = '';
    do {
      const { response, error } = await unaryCall(
        stack.queries.listProducts.bind(stack.queries),
        catalogV1.ListProductsRequest.fromPartial({
          pageSize: 37,
          pageToken,
          orderBy: catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_CREATED_AT,
        }),
      );
      if (error) throw error;
      seen.push(...(response?.products ?? []).map((p) => p.productId));
      pageToken = response?.nextPageToken ?? '';
    } while (pageToken !== '');
    creating = false;
    await concurrent;

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(existing));
  });

  it('orders by price descending with a price filter', async () => {
    const tag = randomUUID().slice(0, 6);
    const acks = await Promise.all(
      [100, 300, 200].map((amount) => create(`Priced ${tag}`, { price: eur(amount), initialStock: amount === 200 ? 0 : 1 })),
    );
    for (const ack of acks) await get(ack.aggregateId, ack.consistencyToken);
    const { response } = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({
        pageSize: 100,
        orderBy: catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE,
        descending: true,
        filter: { minPrice: eur(100), maxPrice: eur(300), inStockOnly: true },
      }),
    );
    const mine = (response?.products ?? []).filter((p) => p.name === `Priced ${tag}`).map((p) => p.price?.amountMinor);
    expect(mine).toEqual([300, 100]);
  });

  it('refuses bad page sizes and foreign page tokens with INVALID_ARGUMENT', async () => {
    const tooBig = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({ pageSize: 101 }),
    );
    expect(tooBig.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(tooBig.error?.metadata).map((v) => v.field)).toEqual(['page_size']);
    const first = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({ pageSize: 1 }),
    );
    const foreign = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({
        pageSize: 1,
        pageToken: first.response?.nextPageToken,
        orderBy: catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE,
      }),
    );
    expect(fieldViolationsOf(foreign.error?.metadata).map((v) => v.field)).toEqual(['page_token']);
    const garbage = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({ pageToken: 'not-a-token' }),
    );
    expect(garbage.error?.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe('the projector under duplicates, reordering and poison', () => {
  /** Publishes an event straight to the stream, as a broker redelivery or a lost/poison message would arrive. */
  async function inject(aggregateId: string, version: number, eventType: string, payload: Uint8Array) {
    const envelope = commonV1.EventEnvelope.fromPartial({
      eventId: randomUUID(),
      streamId: `catalog.product-${aggregateId}`,
      streamType: 'catalog.product',
      aggregateId,
      version,
      eventType,
      payload: Buffer.from(payload),
      occurredAt: new Date(),
    });
    await nc.jetstream().publish(eventSubject(prefix(), 'catalog.product', aggregateId), commonV1.EventEnvelope.encode(envelope).finish());
  }
  const created = (productId: string, stock: number) =>
    catalogV1.ProductCreated.encode({
      productId,
      sku: 'INJ',
      name: 'Injected',
      description: '',
      price: eur(100),
      initialStock: stock,
    }).finish();
  const stockIs = (productId: string, stock: number) =>
    catalogV1.ProductStockAdjusted.encode({ productId, delta: 1, reason: '', stock }).finish();
  const viewOf = async (productId: string) => (await get(productId)).response?.product;

  it('does not change a view for duplicates and redeliveries', async () => {
    const id = randomUUID();
    await inject(id, 1, 'catalog.v1.ProductCreated', created(id, 5));
    await inject(id, 2, 'catalog.v1.ProductStockAdjusted', stockIs(id, 6));
    await eventually(async () => expect((await viewOf(id))?.version).toBe(2));
    await inject(id, 2, 'catalog.v1.ProductStockAdjusted', stockIs(id, 60));
    await inject(id, 1, 'catalog.v1.ProductCreated', created(id, 50));
    await inject(id, 3, 'catalog.v1.ProductStockAdjusted', stockIs(id, 7));
    await eventually(async () => expect((await viewOf(id))?.version).toBe(3));
    expect(await viewOf(id)).toMatchObject({ stock: 7, version: 3 });
  });

  it('does not apply an event before its predecessor, and applies both once it arrives', async () => {
    const id = randomUUID();
    const marker = randomUUID();
    await inject(id, 1, 'catalog.v1.ProductCreated', created(id, 1));
    await inject(id, 3, 'catalog.v1.ProductStockAdjusted', stockIs(id, 3));
    await inject(marker, 1, 'catalog.v1.ProductCreated', created(marker, 1));
    await eventually(async () => expect(await viewOf(marker)).toBeDefined());
    expect(await viewOf(id)).toMatchObject({ version: 1, stock: 1 });
    await inject(id, 2, 'catalog.v1.ProductStockAdjusted', stockIs(id, 2));
    await eventually(async () => expect(await viewOf(id)).toMatchObject({ version: 3, stock: 3 }));
  });

  it('parks a poison event after its retries, and the next event still projects', async () => {
    const id = randomUUID();
    await inject(id, 1, 'catalog.v1.ProductCreated', created(id, 1));
    await inject(id, 2, 'catalog.v1.ProductPriceChanged', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]));
    await inject(id, 3, 'catalog.v1.ProductStockAdjusted', stockIs(id, 9));
    await eventually(async () => expect(await viewOf(id)).toMatchObject({ version: 3, stock: 9 }), { timeoutMs: 30_000 });
    const other = await create('After the poison');
    expect((await get(other.aggregateId, other.consistencyToken)).response?.product?.name).toBe('After the poison');
  });
});

describe('QueryService through the installed grpcurl', () => {
  it('gets and searches products', async () => {
    const ack = await create('Tarte Tatin');
    await get(ack.aggregateId, ack.consistencyToken);
    const address = `127.0.0.1:${stack.queryService.port}`;
    const got = grpcurl([
      '-plaintext',
      '-d',
      JSON.stringify({ product_id: ack.aggregateId }),
      address,
      'catalog.v1.QueryService/GetProduct',
    ]);
    expect(JSON.parse(got.stdout).product).toMatchObject({ name: 'Tarte Tatin', version: '1' });
    const found = grpcurl(['-plaintext', '-d', JSON.stringify({ query: 'tat' }), address, 'catalog.v1.QueryService/SearchProducts']);
    expect(JSON.parse(found.stdout).products.map((p: { productId: string }) => p.productId)).toContain(ack.aggregateId);
    const missing = grpcurl([
      '-plaintext',
      '-d',
      JSON.stringify({ product_id: randomUUID() }),
      address,
      'catalog.v1.QueryService/GetProduct',
    ]);
    expect(missing.stderr).toContain('Code: NotFound');
  });
});
