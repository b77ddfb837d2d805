import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { catalogV1, commonV1, eventSubject } from '@cqrs/contracts';
import { eventually, isolatedEnvironment, REPO_ROOT, startApp, unaryCall, type AppProcess, type IsolatedEnvironment } from '@cqrs/testing';

jest.setTimeout(120_000);

/** A message corrupted in the broker is parked; the operator replays the product from the event store. */
describe('ops dead-letters', () => {
  let isolated: IsolatedEnvironment;
  const apps: AppProcess[] = [];

  beforeAll(() => {
    isolated = isolatedEnvironment();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await isolated.cleanup();
  });

  const ops = (...args: string[]) => {
    const run = spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'tools/ops/ops.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...isolated.env },
      encoding: 'utf8',
    });
    return { code: run.status, output: `${run.stdout}${run.stderr}` };
  };

  it('lists the parked event and replays its product to the state of the event store', async () => {
    const commandService = await startApp('command-service', isolated.env);
    const projector = await startApp('projector', { ...isolated.env, PROJECTOR_MAX_DELIVERIES: '1' });
    apps.push(commandService, projector);
    const client = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
    const mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
    const view = () =>
      mongo
        .db(isolated.env['MONGODB_DATABASE'])
        .collection('products')
        .findOne({ _id: productId } as never);
    const { response } = await unaryCall(
      client.createProduct.bind(client),
      catalogV1.CreateProductRequest.fromPartial({
        sku: 'DLQ-1',
        name: 'Paris-Brest',
        price: { currencyCode: 'EUR', amountMinor: 550 },
        initialStock: 1,
      }),
    );
    const productId = response?.ack?.aggregateId ?? '';
    await eventually(async () => expect(await view()).toMatchObject({ version: 1 }));

    // A corrupted copy of version 2 reaches the projector before the real one.
    const nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    const corrupt = commonV1.EventEnvelope.fromPartial({
      eventId: randomUUID(),
      streamId: `catalog.product-${productId}`,
      streamType: 'catalog.product',
      aggregateId: productId,
      version: 2,
      eventType: 'catalog.v1.ProductStockAdjusted',
      payload: Buffer.from([0xff, 0xff, 0xff]),
    });
    await nc
      .jetstream()
      .publish(
        eventSubject(isolated.env['NATS_SUBJECT_PREFIX'] ?? '', 'catalog.product', productId),
        commonV1.EventEnvelope.encode(corrupt).finish(),
      );
    await nc.close();
    await eventually(async () => expect(await view()).toMatchObject({ version: 2, parkedVersions: [2], stock: 1 }));
    await unaryCall(client.adjustProductStock.bind(client), catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 4 }));
    client.close();

    const listed = ops('dead-letters', 'list');
    expect(listed.output).toContain(`catalog.product-${productId} v2  catalog.v1.ProductStockAdjusted`);
    const letterId = `catalog-products:${corrupt.eventId}`;
    const replay = ops('dead-letters', 'replay', letterId);
    expect(replay.output).toContain(`replayed catalog.product-${productId}: view at version 2; letter removed`);
    expect(replay.code).toBe(0);
    const fixed = await view();
    expect(fixed).toMatchObject({ version: 2, stock: 5 });
    expect(fixed?.['parkedVersions']).toBeUndefined();
    expect(ops('dead-letters', 'list').output).toContain('no parked events');
    await mongo.close();
  });
});
