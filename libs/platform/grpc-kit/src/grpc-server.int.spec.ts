import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { catalogV1, commonV1 } from '@cqrs/contracts';
import { ValidationError } from '@cqrs/errors';
import { fieldViolationsOf } from './error-mapping';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server';
import { unary } from './handlers';
import { REQUEST_ID_HEADER } from './request-context';

/** The kit in-process over a real socket, with the generated client: handlers, errors, request ids. */
describe('startGrpcServer', () => {
  const logger = pino({ level: 'silent' });
  const seenRequestIds: string[] = [];
  let server: RunningGrpcServer;
  let client: catalogV1.CommandServiceClient;

  beforeAll(async () => {
    server = await startGrpcServer({
      config: {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: 0,
        GRPC_MAX_MESSAGE_BYTES: 64 * 1024,
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
            createProduct: unary(logger, async (request: catalogV1.CreateProductRequest, context) => {
              seenRequestIds.push(context.requestId);
              if (request.name === '') throw new ValidationError([{ field: 'name', description: 'must not be empty' }]);
              if (request.name === 'crash') throw new Error('secret stack detail');
              return { ack: commonV1.CommandAck.fromPartial({ aggregateId: 'p-1', version: 1, consistencyToken: 't' }) };
            }),
          },
        },
      ],
      probes: [],
    });
    client = new catalogV1.CommandServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.shutdown();
  });

  function createProduct(request: Partial<catalogV1.CreateProductRequest>, metadata = new Metadata()) {
    return new Promise<{ response?: catalogV1.CreateProductResponse; error?: ServiceError; headers?: Metadata }>((resolve) => {
      let headers: Metadata | undefined;
      const call = client.createProduct(catalogV1.CreateProductRequest.fromPartial(request), metadata, (error, response) =>
        resolve({ response, error: error ?? undefined, headers }),
      );
      call.on('metadata', (m) => (headers = m));
    });
  }

  it('answers through an async handler', async () => {
    const { response } = await createProduct({ name: 'Espresso' });
    expect(response?.ack).toEqual({ aggregateId: 'p-1', version: 1, consistencyToken: 't' });
  });

  it('keeps the caller x-request-id and echoes it in the response headers', async () => {
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_HEADER, 'req-123');
    const { headers } = await createProduct({ name: 'Espresso' }, metadata);
    expect(headers?.get(REQUEST_ID_HEADER)).toEqual(['req-123']);
    expect(seenRequestIds).toContain('req-123');
  });

  it('generates a request id when the caller sends none', async () => {
    const { headers } = await createProduct({ name: 'Espresso' });
    expect(String(headers?.get(REQUEST_ID_HEADER)[0])).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends INVALID_ARGUMENT with field violations in grpc-status-details-bin', async () => {
    const { error } = await createProduct({ name: '' });
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error?.metadata).map((v) => v.field)).toEqual(['name']);
  });

  it('answers INTERNAL without internals for an unexpected error', async () => {
    const { error } = await createProduct({ name: 'crash' });
    expect(error?.code).toBe(Status.INTERNAL);
    expect(error?.details).toBe('internal error');
  });

  it('answers UNIMPLEMENTED for a method with no handler', async () => {
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.deleteProduct(catalogV1.DeleteProductRequest.fromPartial({}), (err) => resolve(err)),
    );
    expect(error?.code).toBe(Status.UNIMPLEMENTED);
  });

  it('refuses a request larger than the configured message size', async () => {
    const { error } = await createProduct({ name: 'x', description: 'd'.repeat(70 * 1024) });
    expect(error?.code).toBe(Status.RESOURCE_EXHAUSTED);
  });
});
