import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import { catalogV1 } from '@cqrs/contracts';
import { errorInfoOf } from '@cqrs/grpc-kit';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  startCatalogStack,
  startPrivateMariaDb,
  startPrivateNats,
  unaryCall,
  type CatalogStack,
  type IsolatedEnvironment,
  type PrivateMariaDb,
  type PrivateNats,
} from '@cqrs/testing';

jest.setTimeout(120_000);

/** Guarantee 9: with MySQL and NATS both stopped (servers this test started), the query service still answers from its views. */
describe('the read side with MySQL and NATS down', () => {
  let isolated: IsolatedEnvironment;
  let nats: PrivateNats;
  let mariadb: PrivateMariaDb;
  let stack: CatalogStack;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    [nats, mariadb] = await Promise.all([startPrivateNats(), startPrivateMariaDb()]);
    stack = await startCatalogStack({ ...isolated.env, NATS_URL: nats.url, MYSQL_URL: mariadb.url });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([nats?.dispose(), mariadb?.dispose()]);
    await isolated?.cleanup();
  });

  it('keeps answering GetProduct and ListProducts, reports which dependency is down, and says when it cannot wait', async () => {
    const { response } = await unaryCall(
      stack.commands.createProduct.bind(stack.commands),
      catalogV1.CreateProductRequest.fromPartial({
        sku: `UP-${randomUUID().slice(0, 8)}`,
        name: 'Financier',
        price: { currencyCode: 'EUR', amountMinor: 280 },
      }),
    );
    const ack = response?.ack;
    if (ack === undefined) throw new Error('no ack');
    const read = (minVersion = 0, consistencyToken = '') =>
      unaryCall(
        stack.queries.getProduct.bind(stack.queries),
        catalogV1.GetProductRequest.fromPartial({ productId: ack.aggregateId, consistency: { consistencyToken, minVersion } }),
      );
    expect((await read(0, ack.consistencyToken)).response?.product?.name).toBe('Financier');

    await Promise.all([mariadb.stop(), nats.stop()]);
    await eventually(async () => expect(await checkHealth(stack.queryService.port, 'nats')).toBe('NOT_SERVING'));
    expect(await checkHealth(stack.queryService.port, 'mongodb')).toBe('SERVING');

    expect((await read()).response?.product?.name).toBe('Financier');
    const list = await unaryCall(
      stack.queries.listProducts.bind(stack.queries),
      catalogV1.ListProductsRequest.fromPartial({ pageSize: 10 }),
    );
    expect(list.response?.products.map((p) => p.productId)).toContain(ack.aggregateId);

    const cannotWait = await read(2);
    expect(cannotWait.error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorInfoOf(cannotWait.error?.metadata)?.metadata).toMatchObject({
      current_version: '1',
      required_version: '2',
      notifications: 'down',
    });
  });
});
