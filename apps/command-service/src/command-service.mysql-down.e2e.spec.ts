import { credentials, status as Status } from '@grpc/grpc-js';
import { catalogV1 } from '@cqrs/contracts';
import { errorInfoOf } from '@cqrs/grpc-kit';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  startApp,
  startPrivateMariaDb,
  unaryCall,
  type AppProcess,
  type IsolatedEnvironment,
  type PrivateMariaDb,
} from '@cqrs/testing';

jest.setTimeout(120_000);

describe('command-service with MySQL down', () => {
  let isolated: IsolatedEnvironment;
  let mariadb: PrivateMariaDb;
  let app: AppProcess;
  let client: catalogV1.CommandServiceClient;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    mariadb = await startPrivateMariaDb();
    app = await startApp('command-service', { ...isolated.env, MYSQL_URL: mariadb.url });
    client = new catalogV1.CommandServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await app?.stop('SIGKILL');
    await mariadb?.dispose();
    await isolated?.cleanup();
  });

  const create = (sku: string) =>
    unaryCall(
      client.createProduct.bind(client),
      catalogV1.CreateProductRequest.fromPartial({ sku, name: 'Mocha', price: { currencyCode: 'EUR', amountMinor: 420 } }),
    );

  it('answers UNAVAILABLE naming MySQL while it is down, and works again when it is back', async () => {
    expect((await create('MOCHA-1')).error).toBeUndefined();
    await mariadb.stop();

    const refused = await create('MOCHA-2');
    expect(refused.error?.code).toBe(Status.UNAVAILABLE);
    expect(errorInfoOf(refused.error?.metadata)?.metadata).toMatchObject({ dependency: 'mysql' });
    await eventually(async () => expect(await checkHealth(app.port, 'mysql')).toBe('NOT_SERVING'));

    await mariadb.start();
    await eventually(async () => expect((await create('MOCHA-3')).error).toBeUndefined(), { timeoutMs: 30_000 });
    await eventually(async () => expect(await checkHealth(app.port, 'mysql')).toBe('SERVING'));
  });
});
