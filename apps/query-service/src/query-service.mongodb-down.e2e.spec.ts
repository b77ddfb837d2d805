import { randomUUID } from 'node:crypto';
import { credentials, status as Status } from '@grpc/grpc-js';
import { catalogV1 } from '@cqrs/contracts';
import { errorInfoOf } from '@cqrs/grpc-kit';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  startApp,
  startPrivateFerretDb,
  unaryCall,
  type AppProcess,
  type IsolatedEnvironment,
  type PrivateFerretDb,
} from '@cqrs/testing';

jest.setTimeout(120_000);

describe('query-service with its view store down', () => {
  let isolated: IsolatedEnvironment;
  let ferret: PrivateFerretDb;
  let app: AppProcess;
  let client: catalogV1.QueryServiceClient;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    ferret = await startPrivateFerretDb();
    app = await startApp('query-service', { ...isolated.env, MONGODB_URL: ferret.url });
    client = new catalogV1.QueryServiceClient(`127.0.0.1:${app.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await app?.stop('SIGKILL');
    await ferret?.dispose();
    await isolated?.cleanup();
  });

  const get = () => unaryCall(client.getProduct.bind(client), catalogV1.GetProductRequest.fromPartial({ productId: randomUUID() }));

  it('answers UNAVAILABLE naming mongodb (not INTERNAL) while it is down, and recovers', async () => {
    expect((await get()).error?.code).toBe(Status.NOT_FOUND);
    await ferret.stop();
    const down = await get();
    expect(down.error?.code).toBe(Status.UNAVAILABLE);
    expect(errorInfoOf(down.error?.metadata)?.metadata).toMatchObject({ dependency: 'mongodb' });
    await eventually(async () => expect(await checkHealth(app.port, 'mongodb')).toBe('NOT_SERVING'));

    await ferret.start();
    await eventually(async () => expect((await get()).error?.code).toBe(Status.NOT_FOUND), { timeoutMs: 30_000 });
  });
});
