import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { catalogV1, commonV1, republishSubject } from '@cqrs/contracts';
import { eventually, isolatedEnvironment, startApp, unaryCall, type AppProcess, type IsolatedEnvironment } from '@cqrs/testing';

jest.setTimeout(120_000);

const PRODUCTS = 5;

/**
 * The events a killed projector held come back to its successor only after the ack wait; until then
 * the successor sees gaps. Those gaps are not lost events, so no re-publish may be asked for them.
 */
describe('projector killed while it holds events', () => {
  let isolated: IsolatedEnvironment;
  let commands: catalogV1.CommandServiceClient;
  let nc: NatsConnection;
  let mongo: MongoClient;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    const commandService = await startApp('command-service', isolated.env);
    apps.push(commandService);
    commands = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
    nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
  });

  afterAll(async () => {
    commands?.close();
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await nc?.close();
    await mongo?.close();
    await isolated?.cleanup();
  });

  it("asks for no re-publish while the dead projector's events are within their ack wait", async () => {
    const requests: commonV1.RepublishRequest[] = [];
    const subscription = nc.subscribe(republishSubject(isolated.env['NATS_SUBJECT_PREFIX'] ?? ''), {
      callback: (_err, msg) => requests.push(commonV1.RepublishRequest.decode(msg.data)),
    });
    await nc.flush();

    const ids: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const { response, error } = await unaryCall(
        commands.createProduct.bind(commands),
        catalogV1.CreateProductRequest.fromPartial({
          sku: `HELD-${i}`,
          name: `Held ${i}`,
          price: { currencyCode: 'EUR', amountMinor: 100 },
        }),
      );
      if (error) throw error;
      ids.push(response?.ack?.aggregateId ?? '');
    }
    const versions = new Map(ids.map((id) => [id, 1]));
    const adjustAll = async () => {
      for (const id of ids) {
        const { response, error } = await unaryCall(
          commands.adjustProductStock.bind(commands),
          catalogV1.AdjustProductStockRequest.fromPartial({ productId: id, delta: 1 }),
        );
        if (error) throw error;
        versions.set(id, response?.ack?.version ?? 0);
      }
    };

    const first = await startApp('projector', isolated.env);
    apps.push(first);
    const views = mongo.db(isolated.env['MONGODB_DATABASE']).collection<{ _id: string; version: number }>('products');
    await eventually(async () => expect(await views.countDocuments()).toBe(PRODUCTS));

    // Frozen, the projector still receives events (its pull request is open) but acknowledges none:
    // killed then, it dies holding them, and JetStream redelivers them only after the ack wait.
    first.child.kill('SIGSTOP');
    for (let round = 0; round < 3; round++) await adjustAll();
    await first.stop('SIGKILL');

    const successor = await startApp('projector', isolated.env);
    apps.push(successor);
    // Later events reach the successor at once and wait for the held ones: a gap per product.
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      await adjustAll();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    await eventually(
      async () => {
        const docs = await views.find({}).toArray();
        expect(new Map(docs.map((d) => [d._id, d.version]))).toEqual(versions);
      },
      { timeoutMs: 30_000 },
    );
    subscription.unsubscribe();
    expect(requests).toEqual([]);
  });
});
