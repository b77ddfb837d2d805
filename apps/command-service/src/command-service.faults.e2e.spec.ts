import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { catalogV1, eventStreamName } from '@cqrs/contracts';
import {
  eventually,
  isolatedEnvironment,
  readStreamMessages,
  startApp,
  startPrivateNats,
  unaryCall,
  type AppProcess,
  type IsolatedEnvironment,
  type PrivateNats,
  type StreamMessage,
} from '@cqrs/testing';

jest.setTimeout(120_000);

/** Faults the outbox must survive: the broker down at commit time, the process killed after a commit, two relaying replicas. */
describe('command-service under faults', () => {
  let isolated: IsolatedEnvironment;
  let nats: PrivateNats;
  const running: AppProcess[] = [];

  beforeEach(async () => {
    isolated = isolatedEnvironment();
    nats = await startPrivateNats();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.stop('SIGKILL')));
    await nats.dispose();
    await isolated.cleanup();
  });

  async function start(): Promise<{ app: AppProcess; client: catalogV1.CommandServiceClient }> {
    const app = await startApp('command-service', { ...isolated.env, NATS_URL: nats.url, RELAY_SWEEP_INTERVAL_MS: '200' });
    running.push(app);
    return { app, client: new catalogV1.CommandServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure()) };
  }

  async function createProduct(client: catalogV1.CommandServiceClient): Promise<string> {
    const { response, error } = await unaryCall(
      client.createProduct.bind(client),
      catalogV1.CreateProductRequest.fromPartial({
        sku: `F-${randomUUID().slice(0, 8)}`,
        name: 'Cortado',
        price: { currencyCode: 'EUR', amountMinor: 300 },
      }),
    );
    if (error) throw error;
    return response?.ack?.aggregateId ?? '';
  }

  async function adjust(client: catalogV1.CommandServiceClient, productId: string) {
    const { response, error } = await unaryCall(
      client.adjustProductStock.bind(client),
      catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1 }),
    );
    if (error) throw error;
    return response?.ack?.version ?? 0;
  }

  const messages = () => readStreamMessages(nats.url, eventStreamName(isolated.env['NATS_STREAM'] ?? '', 'catalog.product'));

  /** Every product's events exactly once, versions 1..n in stream order. */
  function expectOncePerVersionInOrder(all: readonly StreamMessage[], expectedVersions: ReadonlyMap<string, number>) {
    for (const [productId, last] of expectedVersions) {
      const versions = all.filter((m) => m.envelope.aggregateId === productId).map((m) => m.envelope.version);
      expect(versions).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
    expect(new Set(all.map((m) => m.envelope.eventId)).size).toBe(all.length);
  }

  it('keeps accepting commands while NATS is down and publishes the backlog once, in order, when it returns', async () => {
    const { client } = await start();
    const productId = await createProduct(client);
    await nats.stop();

    for (let i = 0; i < 20; i++) await adjust(client, productId);

    await nats.start();
    await eventually(async () => expectOncePerVersionInOrder(await messages(), new Map([[productId, 21]])), { timeoutMs: 30_000 });
  });

  it('publishes an event committed just before the process was killed with SIGKILL, after a restart', async () => {
    await nats.stop();
    const first = await start();
    const productId = await createProduct(first.client);
    const version = await adjust(first.client, productId);
    expect(version).toBe(2);
    await first.app.stop('SIGKILL');

    await nats.start();
    await start();
    await eventually(async () => expectOncePerVersionInOrder(await messages(), new Map([[productId, 2]])), { timeoutMs: 30_000 });
  });

  it('keeps each aggregate in version order when two replicas relay at once', async () => {
    const replicas = [await start(), await start()];
    const productIds = await Promise.all(replicas.map((r) => createProduct(r.client)));
    const versions = new Map(productIds.map((id) => [id, 1]));
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const replica = replicas[i % 2];
        const productId = productIds[Math.floor(i / 2) % productIds.length] ?? '';
        if (replica === undefined) return;
        await adjust(replica.client, productId);
        versions.set(productId, (versions.get(productId) ?? 0) + 1);
      }),
    );
    await eventually(async () => expectOncePerVersionInOrder(await messages(), versions), { timeoutMs: 30_000 });
  });

  it('fails over to the other replica when the relay leader is killed', async () => {
    const replicas = [await start(), await start()];
    const isLeader = (app: AppProcess) => app.output.some((line) => line.includes('"msg":"outbox relay is the leader"'));
    await eventually(() => expect(replicas.filter((r) => isLeader(r.app))).toHaveLength(1));
    const leader = replicas.find((r) => isLeader(r.app));
    const survivor = replicas.find((r) => !isLeader(r.app));
    if (leader === undefined || survivor === undefined) throw new Error('expected one leader and one follower');

    const productId = await createProduct(survivor.client);
    await adjust(leader.client, productId);
    await leader.app.stop('SIGKILL');
    for (let i = 0; i < 5; i++) await adjust(survivor.client, productId);

    await eventually(() => expect(isLeader(survivor.app)).toBe(true), { timeoutMs: 30_000 });
    await eventually(async () => expectOncePerVersionInOrder(await messages(), new Map([[productId, 7]])), { timeoutMs: 30_000 });
  });
});
