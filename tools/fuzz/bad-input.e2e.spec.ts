import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { status as Status, type Client } from '@grpc/grpc-js';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { errorInfoOf, fieldViolationsOf, STATUS_DETAILS_KEY } from '@cqrs/grpc-kit';
import { isolatedEnvironment, startCatalogStack, unaryCall, type CatalogStack, type IsolatedEnvironment } from '@cqrs/testing';
import { rawClient, rawUnary, type RawOutcome } from './raw-grpc-client';

jest.setTimeout(120_000);

/**
 * Issue 12 through the built apps: a request that does not decode, or whose error would echo it
 * without bound, answers INVALID_ARGUMENT at once, and the channel it came on keeps answering.
 */
describe('bad input, end to end', () => {
  let isolated: IsolatedEnvironment;
  let stack: CatalogStack;
  let commands: Client;
  let queries: Client;
  let productId: string;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    stack = await startCatalogStack(isolated.env);
    commands = rawClient(stack.commandService.port);
    queries = rawClient(stack.queryService.port);
    const { response } = await unaryCall(
      stack.commands.createProduct.bind(stack.commands),
      catalogV1.CreateProductRequest.fromPartial({
        sku: `B-${Date.now()}`,
        name: 'Espresso',
        price: { currencyCode: 'EUR', amountMinor: 250 },
        initialStock: 5,
      }),
    );
    productId = response?.ack?.aggregateId ?? '';
    // Seen by the query side before the tests use it as their good call.
    await unaryCall(
      stack.queries.getProduct.bind(stack.queries),
      catalogV1.GetProductRequest.fromPartial({ productId, consistency: { consistencyToken: response?.ack?.consistencyToken ?? '' } }),
    );
  });

  afterAll(async () => {
    commands?.close();
    queries?.close();
    await stack?.stop();
    await isolated?.cleanup();
  });

  /** Every answer here must arrive, and the same channel must answer a good call right after. */
  async function expectRefused(client: Client, path: string, body: Uint8Array): Promise<RawOutcome> {
    const outcome = await rawUnary(client, path, body, 5_000);
    expect({ code: Status[outcome.code], details: outcome.details.slice(0, 200) }).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const trailer = outcome.metadata.get(STATUS_DETAILS_KEY)[0];
    expect(trailer === undefined ? 0 : Buffer.from(trailer).toString('base64').length).toBeLessThanOrEqual(8 * 1024);
    expect(outcome.details.length).toBeLessThanOrEqual(300);
    const next = await rawUnary(
      queries,
      '/catalog.v1.QueryService/GetProduct',
      catalogV1.GetProductRequest.encode(catalogV1.GetProductRequest.fromPartial({ productId })).finish(),
      3_000,
    );
    expect(Status[next.code]).toBe('OK');
    return outcome;
  }

  const fields = (outcome: RawOutcome) => fieldViolationsOf(outcome.metadata).map((v) => v.field);
  const int64Field = (fieldNo: number, value: bigint) => new BinaryWriter().uint32((fieldNo << 3) | 0).int64(value);
  const inMessage = (fieldNo: number, inner: BinaryWriter) => new BinaryWriter().uint32((fieldNo << 3) | 2).bytes(inner.finish());

  describe('requests that do not decode', () => {
    it('answers one stray byte as a CreateProduct body with INVALID_ARGUMENT', async () => {
      const outcome = await expectRefused(commands, '/catalog.v1.CommandService/CreateProduct', Uint8Array.of(0x85));
      expect(errorInfoOf(outcome.metadata)?.reason).toBe('UNDECODABLE_REQUEST');
    });

    it.each([
      ['/catalog.v1.CommandService/CreateProduct', 'initial_stock', int64Field(6, 2n ** 53n)],
      ['/catalog.v1.CommandService/CreateProduct', 'price.amount_minor', inMessage(5, int64Field(2, -(2n ** 63n)))],
      ['/catalog.v1.CommandService/AdjustProductStock', 'delta', int64Field(4, 2n ** 63n - 1n)],
      ['/catalog.v1.CommandService/ChangeProductPrice', 'expected_version', int64Field(3, 2n ** 53n + 1n)],
      ['/catalog.v1.QueryService/GetProduct', 'consistency.min_version', inMessage(2, int64Field(2, 9007199254740993n))],
      ['/catalog.v1.QueryService/ListProducts', 'filter.min_price.amount_minor', inMessage(5, inMessage(1, int64Field(2, 2n ** 60n)))],
      ['/orders.v1.QueryService/GetOrder', 'consistency.min_version', inMessage(2, int64Field(2, -(2n ** 53n)))],
    ])('%s: an int64 beyond a safe integer is a violation on %s', async (path, field, body) => {
      const outcome = await expectRefused(path.includes('QueryService') ? queries : commands, path, body.finish());
      expect(fields(outcome)).toEqual([field]);
    });
  });

  describe('errors never echo unbounded input', () => {
    it('answers a 100,000-character currency code quoting a short prefix', async () => {
      const body = catalogV1.CreateProductRequest.encode(
        catalogV1.CreateProductRequest.fromPartial({
          sku: 'ESP-9',
          name: 'Espresso',
          price: { currencyCode: 'E'.repeat(100_000), amountMinor: 1 },
        }),
      ).finish();
      const outcome = await expectRefused(commands, '/catalog.v1.CommandService/CreateProduct', body);
      expect(fields(outcome)).toEqual(['price.currency_code']);
    });

    it('answers 10,000 update_mask paths with one violation', async () => {
      const request = catalogV1.UpdateProductDetailsRequest.fromPartial({
        productId,
        name: 'x',
        updateMask: Array.from({ length: 10_000 }, (_, i) => `path_${i}`),
      });
      const outcome = await expectRefused(
        commands,
        '/catalog.v1.CommandService/UpdateProductDetails',
        catalogV1.UpdateProductDetailsRequest.encode(request).finish(),
      );
      expect(fields(outcome)).toEqual(['update_mask']);
    });

    it('answers a PlaceOrder with 1,000 lines of one product with one violation', async () => {
      const request = ordersV1.PlaceOrderRequest.fromPartial({
        reference: { table: 'T1' },
        lines: Array.from({ length: 1_000 }, () => ({ productId, quantity: 1 })),
      });
      const outcome = await expectRefused(
        commands,
        '/orders.v1.CommandService/PlaceOrder',
        ordersV1.PlaceOrderRequest.encode(request).finish(),
      );
      expect(fields(outcome)).toEqual(['lines']);
    });
  });

  describe('search input is bounded', () => {
    const search = (query: string) =>
      catalogV1.SearchProductsRequest.encode(catalogV1.SearchProductsRequest.fromPartial({ query })).finish();

    it('refuses a search text longer than 256 characters at once', async () => {
      const outcome = await expectRefused(queries, '/catalog.v1.QueryService/SearchProducts', search('espresso'.repeat(500_000)));
      expect(fields(outcome)).toEqual(['query']);
      expect(outcome.elapsedMs).toBeLessThan(1_000);
    });

    it('refuses more than 8 different words', async () => {
      const outcome = await expectRefused(
        queries,
        '/catalog.v1.QueryService/SearchProducts',
        search(Array.from({ length: 9 }, (_, i) => `w${i}x`).join(' ')),
      );
      expect(fields(outcome)).toEqual(['query']);
      const eight = await rawUnary(
        queries,
        '/catalog.v1.QueryService/SearchProducts',
        search(Array.from({ length: 8 }, (_, i) => `w${i}x`).join(' ')),
        5_000,
      );
      expect(Status[eight.code]).toBe('OK');
    });
  });
});
