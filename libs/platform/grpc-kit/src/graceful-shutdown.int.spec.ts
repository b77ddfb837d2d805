import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import { catalogV1 } from '@cqrs/contracts';
import { startGrpcServer } from './grpc-server';
import { unary } from './handlers';

describe('graceful shutdown', () => {
  const logger = pino({ level: 'silent' });
  const config = {
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: 0,
    GRPC_MAX_MESSAGE_BYTES: 1024 * 1024,
    GRPC_KEEPALIVE_TIME_MS: 30_000,
    GRPC_KEEPALIVE_TIMEOUT_MS: 10_000,
    HEALTH_CHECK_INTERVAL_MS: 60_000,
    SHUTDOWN_TIMEOUT_MS: 5_000,
  };

  it('finishes in-flight calls, refuses new ones, then closes dependencies', async () => {
    let release: () => void = () => undefined;
    const closed: string[] = [];
    const server = await startGrpcServer({
      config,
      logger,
      services: [
        {
          definition: catalogV1.CommandServiceService,
          implementation: {
            createProduct: unary(logger, async () => {
              await new Promise<void>((resolve) => (release = resolve));
              return {};
            }),
          },
        },
      ],
      probes: [],
      onShutdown: [async () => void closed.push('pool')],
    });
    const client = new catalogV1.CommandServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const inFlight = new Promise<ServiceError | null>((resolve) =>
      client.createProduct(catalogV1.CreateProductRequest.fromPartial({}), (err) => resolve(err)),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const stopping = server.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toEqual([]);

    const lateClient = new catalogV1.CommandServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const late = await new Promise<ServiceError | null>((resolve) =>
      lateClient.createProduct(catalogV1.CreateProductRequest.fromPartial({}), new Metadata(), { deadline: Date.now() + 2_000 }, (err) =>
        resolve(err),
      ),
    );
    expect(late?.code).toBe(Status.UNAVAILABLE);

    release();
    expect(await inFlight).toBeNull();
    await stopping;
    expect(closed).toEqual(['pool']);
    client.close();
    lateClient.close();
  });

  it('cancels calls that outlive SHUTDOWN_TIMEOUT_MS', async () => {
    const server = await startGrpcServer({
      config: { ...config, SHUTDOWN_TIMEOUT_MS: 300 },
      logger,
      services: [
        {
          definition: catalogV1.CommandServiceService,
          implementation: { createProduct: unary(logger, () => new Promise(() => undefined)) },
        },
      ],
      probes: [],
    });
    const client = new catalogV1.CommandServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const stuck = new Promise<ServiceError | null>((resolve) =>
      client.createProduct(catalogV1.CreateProductRequest.fromPartial({}), (err) => resolve(err)),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.shutdown();
    expect((await stuck)?.code).toBe(Status.CANCELLED);
    client.close();
  });
});
