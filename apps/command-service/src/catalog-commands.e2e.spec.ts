import { randomUUID } from 'node:crypto';
import { credentials, status as Status } from '@grpc/grpc-js';
import { catalogV1, decodeConsistencyToken, eventStreamName } from '@cqrs/contracts';
import { errorInfoOf, fieldViolationsOf } from '@cqrs/grpc-kit';
import {
  eventually,
  grpcurl,
  isolatedEnvironment,
  readStreamMessages,
  startApp,
  unaryCall,
  type AppProcess,
  type IsolatedEnvironment,
} from '@cqrs/testing';

jest.setTimeout(90_000);

let isolated: IsolatedEnvironment;
let app: AppProcess;
let client: catalogV1.CommandServiceClient;

beforeAll(async () => {
  isolated = isolatedEnvironment();
  app = await startApp('command-service', isolated.env);
  client = new catalogV1.CommandServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await app?.stop();
  await isolated?.cleanup();
});

const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
const create = (request: Partial<catalogV1.CreateProductRequest> = {}) =>
  unaryCall(
    client.createProduct.bind(client),
    catalogV1.CreateProductRequest.fromPartial({
      sku: `SKU-${randomUUID().slice(0, 8)}`,
      name: 'Espresso',
      price: eur(250),
      initialStock: 10,
      ...request,
    }),
  );
const adjust = (productId: string, delta: number, extra: Partial<catalogV1.AdjustProductStockRequest> = {}) =>
  unaryCall(client.adjustProductStock.bind(client), catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta, ...extra }));

async function createdId(request: Partial<catalogV1.CreateProductRequest> = {}): Promise<string> {
  const { response, error } = await create(request);
  expect(error).toBeUndefined();
  return response?.ack?.aggregateId ?? '';
}

describe('CommandService through the generated client', () => {
  it('creates a product and acknowledges id, version 1 and a consistency token', async () => {
    const { response } = await create();
    const ack = response?.ack;
    expect(ack?.version).toBe(1);
    expect(ack?.aggregateId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeConsistencyToken(ack?.consistencyToken ?? '')).toMatchObject({
      streamType: 'catalog.product',
      aggregateId: ack?.aggregateId,
      version: 1,
    });
  });

  it('runs the whole life of a product, each command one version further', async () => {
    const productId = await createdId();
    const update = await unaryCall(
      client.updateProductDetails.bind(client),
      catalogV1.UpdateProductDetailsRequest.fromPartial({ productId, description: 'Double', updateMask: ['description'] }),
    );
    expect(update.response?.ack?.version).toBe(2);
    const price = await unaryCall(
      client.changeProductPrice.bind(client),
      catalogV1.ChangeProductPriceRequest.fromPartial({ productId, price: eur(300) }),
    );
    expect(price.response?.ack?.version).toBe(3);
    expect((await adjust(productId, -4, { reason: 'sold' })).response?.ack?.version).toBe(4);
    const deleted = await unaryCall(
      client.deleteProduct.bind(client),
      catalogV1.DeleteProductRequest.fromPartial({ productId, reason: 'gone' }),
    );
    expect(deleted.response?.ack?.version).toBe(5);

    const afterDelete = await adjust(productId, 1);
    expect(afterDelete.error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(errorInfoOf(afterDelete.error?.metadata)?.reason).toBe('PRODUCT_DELETED');
  });

  it('answers INVALID_ARGUMENT with one field violation per bad field, storing nothing', async () => {
    const { error } = await create({ sku: 'bad sku', name: ' ', price: { currencyCode: 'EURO', amountMinor: -1 }, initialStock: -1 });
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual([
      'sku',
      'name',
      'price.currency_code',
      'price.amount_minor',
      'initial_stock',
    ]);
  });

  it('answers INVALID_ARGUMENT for a malformed id and NOT_FOUND for an unknown one', async () => {
    const malformed = await adjust('not-a-uuid', 1);
    expect(malformed.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(malformed.error?.metadata).map((v) => v.field)).toEqual(['product_id']);
    expect((await adjust(randomUUID(), 1)).error?.code).toBe(Status.NOT_FOUND);
  });

  it('answers ALREADY_EXISTS for a SKU in use, case-insensitively, and frees it on delete', async () => {
    const productId = await createdId({ sku: 'ABC-123' });
    const duplicate = await create({ sku: 'abc-123' });
    expect(duplicate.error?.code).toBe(Status.ALREADY_EXISTS);
    await unaryCall(client.deleteProduct.bind(client), catalogV1.DeleteProductRequest.fromPartial({ productId }));
    expect((await create({ sku: 'abc-123' })).error).toBeUndefined();
  });

  it('answers ABORTED with the current version when expected_version is stale', async () => {
    const productId = await createdId();
    await adjust(productId, 1);
    const stale = await adjust(productId, 1, { expectedVersion: 1 });
    expect(stale.error?.code).toBe(Status.ABORTED);
    expect(errorInfoOf(stale.error?.metadata)?.metadata).toMatchObject({ current_version: '2', expected_version: '1' });
    expect((await adjust(productId, 1, { expectedVersion: 2 })).response?.ack?.version).toBe(3);
  });

  it('returns the first acknowledgement for a repeated request id and writes one event', async () => {
    const requestId = randomUUID();
    const first = await create({ requestId, sku: 'IDEM-1' });
    const again = await create({ requestId, sku: 'IDEM-1' });
    expect(again.response).toEqual(first.response);
    const productId = first.response?.ack?.aggregateId ?? '';
    await eventually(async () => {
      const messages = await readStreamMessages(
        isolated.env['NATS_URL'] ?? '',
        eventStreamName(isolated.env['NATS_STREAM'] ?? '', 'catalog.product'),
      );
      expect(messages.filter((m) => m.envelope.aggregateId === productId)).toHaveLength(1);
    });

    const reused = await create({ requestId, sku: 'IDEM-2' });
    expect(reused.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(reused.error?.metadata).map((v) => v.field)).toEqual(['request_id']);
    expect(errorInfoOf(reused.error?.metadata)?.reason).toBe('REQUEST_ID_REUSED');
  });

  it('lands all of 100 racing stock adjustments; the final stock is the sum of those accepted', async () => {
    const productId = await createdId({ initialStock: 0 });
    const deltas = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? -2 : 1));
    const outcomes = await Promise.all(deltas.map((delta) => adjust(productId, delta)));
    const codes = outcomes.map((o) => o.error?.code ?? Status.OK);
    expect(codes.every((code) => code === Status.OK || code === Status.FAILED_PRECONDITION)).toBe(true);
    const accepted = deltas.filter((_, i) => codes[i] === Status.OK);
    const versions = outcomes.flatMap((o) => (o.response?.ack ? [o.response.ack.version] : [])).sort((a, b) => a - b);
    expect(versions).toEqual(accepted.map((_, i) => i + 2));

    await eventually(async () => {
      const events = (
        await readStreamMessages(isolated.env['NATS_URL'] ?? '', eventStreamName(isolated.env['NATS_STREAM'] ?? '', 'catalog.product'))
      ).filter((m) => m.envelope.aggregateId === productId);
      expect(events).toHaveLength(accepted.length + 1);
      const last = catalogV1.ProductStockAdjusted.decode(events[events.length - 1]?.envelope.payload ?? Buffer.alloc(0));
      expect(last.stock).toBe(accepted.reduce((sum, d) => sum + d, 0));
    });
  });

  it('publishes each event to events.catalog.product.<id> once, in version order, with Nats-Msg-Id = event id', async () => {
    const productId = await createdId();
    for (let i = 0; i < 5; i++) await adjust(productId, 1);
    await eventually(async () => {
      const messages = (
        await readStreamMessages(isolated.env['NATS_URL'] ?? '', eventStreamName(isolated.env['NATS_STREAM'] ?? '', 'catalog.product'))
      ).filter((m) => m.envelope.aggregateId === productId);
      expect(messages.map((m) => m.envelope.version)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const m of messages) {
        expect(m.subject).toBe(`${isolated.env['NATS_SUBJECT_PREFIX']}.catalog.product.${productId}`);
        expect(m.msgId).toBe(m.envelope.eventId);
      }
      expect(messages[0]?.envelope.eventType).toBe('catalog.v1.ProductCreated');
    });
  });
});

describe('CommandService through the installed grpcurl', () => {
  const call = (method: string, body: object) =>
    grpcurl(['-plaintext', '-d', JSON.stringify(body), `127.0.0.1:${app.port}`, `catalog.v1.CommandService/${method}`]);

  it('creates, updates and deletes a product', () => {
    const created = call('CreateProduct', {
      sku: 'GRPCURL-1',
      name: 'Flat white',
      price: { currency_code: 'EUR', amount_minor: 380 },
      initial_stock: 5,
    });
    expect(created.code).toBe(0);
    const productId = JSON.parse(created.stdout).ack.aggregateId;
    const updated = call('UpdateProductDetails', { product_id: productId, name: 'Flat white (large)', update_mask: { paths: ['name'] } });
    expect(JSON.parse(updated.stdout).ack.version).toBe('2');
    const deleted = call('DeleteProduct', { product_id: productId, reason: 'seasonal' });
    expect(JSON.parse(deleted.stdout).ack.version).toBe('3');
  });

  it('prints INVALID_ARGUMENT with the field violations for bad input', () => {
    const bad = call('CreateProduct', { sku: 'GRPCURL-2', name: '', price: { currency_code: 'EUR', amount_minor: -5 } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Code: InvalidArgument');
    expect(bad.stderr).toContain('"@type": "type.googleapis.com/google.rpc.BadRequest"');
    expect(bad.stderr).toContain('"field": "name"');
    expect(bad.stderr).toContain('"field": "price.amount_minor"');
  });
});
