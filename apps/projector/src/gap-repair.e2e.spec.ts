import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { catalogV1, eventStreamName } from '@cqrs/contracts';
import {
  eventually,
  isolatedEnvironment,
  readStreamMessages,
  startApp,
  unaryCall,
  type AppProcess,
  type IsolatedEnvironment,
} from '@cqrs/testing';

jest.setTimeout(120_000);

/** A message the broker lost never blocks a view for good: the projector asks the command side to re-publish it. */
describe('gap repair', () => {
  let isolated: IsolatedEnvironment;
  const apps: AppProcess[] = [];

  beforeAll(() => {
    isolated = isolatedEnvironment();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await isolated.cleanup();
  });

  it('fills a gap left by a message deleted from the stream, from the event store', async () => {
    const commandService = await startApp('command-service', isolated.env);
    apps.push(commandService);
    const client = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
    const { response } = await unaryCall(
      client.createProduct.bind(client),
      catalogV1.CreateProductRequest.fromPartial({ sku: 'GAP-1', name: 'Lost and found', price: { currencyCode: 'EUR', amountMinor: 90 } }),
    );
    const productId = response?.ack?.aggregateId ?? '';
    for (const delta of [2, 3])
      await unaryCall(client.adjustProductStock.bind(client), catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta }));
    client.close();

    const natsUrl = isolated.env['NATS_URL'] ?? '';
    const stream = eventStreamName(isolated.env['NATS_STREAM'] ?? '', 'catalog.product');
    const messages = await eventually(async () => {
      const all = await readStreamMessages(natsUrl, stream);
      expect(all).toHaveLength(3);
      return all;
    });
    const lost = messages.find((m) => m.envelope.version === 2);
    const nc = await connect({ servers: natsUrl.replace('nats://', '') });
    await (await nc.jetstreamManager()).streams.deleteMessage(stream, lost?.seq ?? 0);
    await nc.close();

    const projector = await startApp('projector', {
      ...isolated.env,
      PROJECTOR_ACK_WAIT_MS: '1000',
      PROJECTOR_GAP_REPAIR_AFTER_MS: '300',
      PROJECTOR_RETRY_DELAY_MS: '50',
    });
    apps.push(projector);
    const mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
    try {
      await eventually(
        async () => {
          const view = await mongo
            .db(isolated.env['MONGODB_DATABASE'])
            .collection('products')
            .findOne({ _id: productId } as never);
          expect(view).toMatchObject({ version: 3, stock: 5 });
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      await mongo.close();
    }
    expect(projector.output.some((line) => line.includes('asking the command side to re-publish'))).toBe(true);
    expect(commandService.output.some((line) => line.includes('republished events on request'))).toBe(true);
  });
});
