import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { credentials, makeGenericClientConstructor, Metadata, status as Status, type Client, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { catalogV1, commonV1 } from '@cqrs/contracts';
import { ValidationError } from '@cqrs/errors';
import { errorInfoOf, fieldViolationsOf, STATUS_DETAILS_KEY } from './error-mapping';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server';
import { serverStream, unary } from './handlers';

const CREATE_PRODUCT = '/catalog.v1.CommandService/CreateProduct';
const WATCH_PRODUCT = '/catalog.v1.QueryService/WatchProduct';

interface RawOutcome {
  readonly error?: ServiceError;
  readonly trailers?: Metadata;
}

/** Bad request bytes and oversized errors over a real socket, sent as raw bytes on one shared channel. */
describe('bad input through the gRPC kit', () => {
  const logger = pino({ level: 'silent' });
  let server: RunningGrpcServer;
  let client: Client;

  beforeAll(async () => {
    server = await startGrpcServer({
      config: {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: 0,
        GRPC_MAX_MESSAGE_BYTES: 4 * 1024 * 1024,
        GRPC_KEEPALIVE_TIME_MS: 30_000,
        GRPC_KEEPALIVE_TIMEOUT_MS: 10_000,
        HEALTH_CHECK_INTERVAL_MS: 60_000,
        SHUTDOWN_TIMEOUT_MS: 2_000,
      },
      logger,
      services: [
        {
          definition: catalogV1.CommandServiceService,
          implementation: {
            // Echoes the caller's input without bound, as a careless handler would.
            createProduct: unary(logger, async (request: catalogV1.CreateProductRequest) => {
              if (request.name === 'many') {
                throw new ValidationError(
                  Array.from({ length: 10_000 }, (_, i) => ({
                    field: `update_mask.paths[${i}]`,
                    description: `unknown path ${request.description}`,
                  })),
                );
              }
              if (request.description !== '')
                throw new ValidationError([{ field: 'description', description: `is wrong (got "${request.description}")` }]);
              return { ack: commonV1.CommandAck.fromPartial({ aggregateId: 'p-1', version: 1 }) };
            }),
          },
        },
        {
          definition: catalogV1.QueryServiceService,
          implementation: {
            watchProduct: serverStream(logger, async (request: catalogV1.WatchProductRequest) => {
              throw new ValidationError([{ field: 'product_id', description: `must be a UUID (got "${request.productId}")` }]);
            }),
          },
        },
      ],
      probes: [],
    });
    const Raw = makeGenericClientConstructor({}, 'Raw');
    client = new Raw(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.shutdown();
  });

  function unaryRaw(path: string, body: Uint8Array, deadlineMs = 5_000): Promise<RawOutcome> {
    return new Promise((resolve) => {
      let trailers: Metadata | undefined;
      const call = client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error) => resolve({ error: error ?? undefined, trailers }),
      );
      call.on('status', (s) => (trailers = s.metadata));
    });
  }

  function createProductBytes(request: Partial<catalogV1.CreateProductRequest>): Uint8Array {
    return catalogV1.CreateProductRequest.encode(catalogV1.CreateProductRequest.fromPartial(request)).finish();
  }

  it('answers INVALID_ARGUMENT, not INTERNAL, for a body that does not decode', async () => {
    const { error } = await unaryRaw(CREATE_PRODUCT, Uint8Array.of(0x85));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(errorInfoOf(error?.metadata)?.reason).toBe('UNDECODABLE_REQUEST');
    expect(fieldViolationsOf(error?.metadata)).toHaveLength(1);
  });

  it('answers INVALID_ARGUMENT for an undecodable health check too', async () => {
    expect((await unaryRaw('/grpc.health.v1.Health/Check', Uint8Array.of(0x85))).error?.code).toBe(Status.INVALID_ARGUMENT);
    expect((await unaryRaw('/grpc.health.v1.Health/Check', new Uint8Array(0))).error).toBeUndefined();
  });

  it('names the field whose bytes are cut short', async () => {
    const whole = createProductBytes({ sku: 'ESP-1', name: 'Espresso' });
    const { error } = await unaryRaw(CREATE_PRODUCT, whole.subarray(0, whole.length - 2));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual(['name']);
  });

  it.each([
    [
      'price.amount_minor',
      new BinaryWriter()
        .uint32((5 << 3) | 2)
        .fork()
        .uint32((2 << 3) | 0)
        .int64(2n ** 53n + 1n)
        .join()
        .finish(),
    ],
    [
      'initial_stock',
      new BinaryWriter()
        .uint32((6 << 3) | 0)
        .int64(-(2n ** 63n))
        .finish(),
    ],
    [
      'initial_stock',
      new BinaryWriter()
        .uint32((6 << 3) | 0)
        .int64(2n ** 53n)
        .finish(),
    ],
  ])('answers an int64 beyond a safe integer with a violation on %s', async (field, body) => {
    const { error } = await unaryRaw(CREATE_PRODUCT, body);
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata)).toEqual([
      expect.objectContaining({ field, description: expect.stringContaining('safe integer') }),
    ]);
  });

  function streamRaw(path: string, body: Uint8Array): Promise<ServiceError | undefined> {
    return new Promise((resolve) => {
      const call = client.makeServerStreamRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        new Metadata(),
        { deadline: Date.now() + 2_000 },
      );
      call.on('data', () => undefined);
      call.on('error', (err: ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
    });
  }

  it('refuses an undecodable server-streaming request before its handler runs', async () => {
    const error = await streamRaw(WATCH_PRODUCT, Uint8Array.of(0x0a, 0x05, 0x41));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual(['product_id']);
    expect(fieldViolationsOf(error?.metadata)[0]?.description).toContain('cannot be decoded');
  });

  it('delivers the error a server-streaming handler throws, bounded', async () => {
    const error = await streamRaw(WATCH_PRODUCT, catalogV1.WatchProductRequest.encode({ productId: 'x'.repeat(100_000) }).finish());
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata)[0]?.description).toMatch(/…\(\d+ chars\)$/);
  });

  it('keeps an error that echoes 100,000 characters short, and the channel answering', async () => {
    const { error, trailers } = await unaryRaw(CREATE_PRODUCT, createProductBytes({ name: 'x', description: 'd'.repeat(100_000) }));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(error?.details.length).toBeLessThanOrEqual(1_000);
    expect(detailsTrailerBytes(trailers)).toBeLessThanOrEqual(8 * 1024);
    expect(fieldViolationsOf(error?.metadata)[0]?.description).toMatch(/…\(\d+ chars\)$/);
    const after = await unaryRaw(CREATE_PRODUCT, createProductBytes({ name: 'x' }), 2_000);
    expect(after.error).toBeUndefined();
  });

  it('sends the first 20 of 10,000 violations and their count, within 8 KiB', async () => {
    const { error, trailers } = await unaryRaw(CREATE_PRODUCT, createProductBytes({ name: 'many', description: 'p'.repeat(10_000) }));
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata)).toHaveLength(20);
    expect(errorInfoOf(error?.metadata)?.metadata['field_violations']).toBe('10000');
    expect(detailsTrailerBytes(trailers)).toBeLessThanOrEqual(8 * 1024);
    const after = await unaryRaw(CREATE_PRODUCT, createProductBytes({ name: 'x' }), 2_000);
    expect(after.error).toBeUndefined();
  });
});

/** The size of grpc-status-details-bin as sent: base64 on the wire. */
function detailsTrailerBytes(trailers: Metadata | undefined): number {
  const raw = trailers?.get(STATUS_DETAILS_KEY)[0];
  return raw === undefined ? 0 : Buffer.from(raw).toString('base64').length;
}
