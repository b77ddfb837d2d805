import { catalogV1 } from '@cqrs/contracts';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  nonJsonLines,
  startCatalogStack,
  startCommandFlow,
  startPrivateFerretDb,
  unaryCall,
  type CatalogStack,
  type IsolatedEnvironment,
  type PrivateFerretDb,
} from '@cqrs/testing';

jest.setTimeout(180_000);

/** Guarantee 11: the view store (a FerretDB this test owns) crashes and comes back under the running projector and query service while commands flow. */
describe('the read side across a view-store restart', () => {
  let isolated: IsolatedEnvironment;
  let ferret: PrivateFerretDb;
  let stack: CatalogStack;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    ferret = await startPrivateFerretDb();
    stack = await startCatalogStack({ ...isolated.env, MONGODB_URL: ferret.url });
  });

  afterAll(async () => {
    await stack?.stop();
    await ferret?.dispose();
    await isolated?.cleanup();
  });

  const versionInView = async (productId: string) =>
    (await unaryCall(stack.queries.getProduct.bind(stack.queries), catalogV1.GetProductRequest.fromPartial({ productId }))).response
      ?.product?.version ?? 0;

  it('returns to SERVING and catches the views up without restarting the projector', async () => {
    const flows = await Promise.all([1, 2].map(() => startCommandFlow(stack.commands, { pauseMs: 0 })));
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    await ferret.stop();
    for (const app of [stack.projector, stack.queryService])
      await eventually(async () => expect(await checkHealth(app.port, 'mongodb')).toBe('NOT_SERVING'));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await ferret.start();
    const restarted = Date.now();

    for (const app of [stack.projector, stack.queryService])
      await eventually(async () => expect(await checkHealth(app.port, 'mongodb')).toBe('SERVING'), { timeoutMs: 30_000 });
    const serving = Date.now() - restarted;
    await Promise.all(flows.map((flow) => flow.stop()));
    // The backlog that waited in JetStream (the projector's in-flight events included) is applied.
    await eventually(
      async () => {
        for (const flow of flows)
          for (const [productId, version] of flow.acked)
            expect({ productId, version: await versionInView(productId) }).toEqual({ productId, version });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const caughtUp = Date.now() - restarted;
    process.stdout.write(
      `view-store restart: mongodb SERVING after ${serving} ms, views caught up after ${caughtUp} ms (${flows.reduce((n, flow) => n + flow.succeeded(), 0)} commands)\n`,
    );
    expect(stack.projector.child.exitCode).toBeNull();
    for (const app of [stack.projector, stack.queryService]) expect(nonJsonLines(app)).toEqual([]);
  });
});
