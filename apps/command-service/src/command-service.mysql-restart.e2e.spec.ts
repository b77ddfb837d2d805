import { status as Status } from '@grpc/grpc-js';
import { ordersV1 } from '@cqrs/contracts';
import { errorInfoOf } from '@cqrs/grpc-kit';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  nonJsonLines,
  startCatalogStack,
  startCommandFlow,
  startPrivateMariaDb,
  type CatalogStack,
  type IsolatedEnvironment,
  type PrivateMariaDb,
} from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';

jest.setTimeout(180_000);

/** Guarantees 8 and 11: the write store (a MariaDB this test owns) crashes and comes back under a running stack while commands flow. */
describe('the stack across a MySQL restart', () => {
  let isolated: IsolatedEnvironment;
  let mariadb: PrivateMariaDb;
  let stack: CatalogStack;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    mariadb = await startPrivateMariaDb();
    stack = await startCatalogStack({ ...isolated.env, MYSQL_URL: mariadb.url, RELAY_SWEEP_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    await stack?.stop();
    await mariadb?.dispose();
    await isolated?.cleanup();
  });

  it('answers UNAVAILABLE naming mysql while it is down, logs only JSON, and resumes commands, relay and reactions', async () => {
    const orders = orderFlows(stack);
    const flows = await Promise.all([1, 2].map(() => startCommandFlow(stack.commands, { pauseMs: 5 })));
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    await mariadb.stop();
    await eventually(async () => expect(await checkHealth(stack.commandService.port, 'mysql')).toBe('NOT_SERVING'));
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await mariadb.start();
    const restarted = Date.now();

    await eventually(async () => expect(await checkHealth(stack.commandService.port, 'mysql')).toBe('SERVING'), { timeoutMs: 30_000 });
    const serving = Date.now() - restarted;
    const before = flows.map((flow) => flow.succeeded());
    await eventually(() => flows.forEach((flow, i) => expect(flow.succeeded()).toBeGreaterThan(before[i] ?? 0)), { timeoutMs: 30_000 });
    const commandsBack = Date.now() - restarted;
    await Promise.all(flows.map((flow) => flow.stop()));

    const errors = flows.flatMap((flow) => flow.errors);
    expect(errors.length).toBeGreaterThan(0);
    const notUnavailableMysql = errors.filter(
      (error) => error.code !== Status.UNAVAILABLE || errorInfoOf(error.metadata)?.metadata['dependency'] !== 'mysql',
    );
    expect(notUnavailableMysql.map((error) => `${Status[error.code]}: ${error.details}`)).toEqual([]);

    // The relay (its leader lock lived on a connection that died) and the reactions resume.
    await eventually(
      async () => {
        for (const flow of flows)
          for (const [productId, version] of flow.acked)
            expect({ productId, version: (await orders.product(productId)).response?.product?.version }).toEqual({ productId, version });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const relayed = Date.now() - restarted;
    const productId = await orders.createProduct('Croque', 5);
    const placed = await orders.placed([[productId, 2]]);
    expect((await orders.decided(placed.aggregateId, placed.consistencyToken)).status).toBe(ordersV1.OrderStatus.ORDER_STATUS_CONFIRMED);
    process.stdout.write(
      `mysql restart: health SERVING after ${serving} ms, commands after ${commandsBack} ms, views caught up after ${relayed} ms; ${errors.length} UNAVAILABLE\n`,
    );

    for (const app of [stack.commandService, stack.projector, stack.queryService]) expect(nonJsonLines(app)).toEqual([]);
  });
});
