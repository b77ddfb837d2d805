import { isolatedEnvironment, startApp, type AppProcess, type IsolatedEnvironment } from '@cqrs/testing';
import { createAndReprice } from './catalog-client';

jest.setTimeout(60_000);

/** The README's client example, run against a real command service so it cannot rot. */
describe('catalog client example', () => {
  let isolated: IsolatedEnvironment;
  let app: AppProcess;

  beforeAll(async () => {
    isolated = isolatedEnvironment();
    app = await startApp('command-service', isolated.env);
  });

  afterAll(async () => {
    await app?.stop();
    await isolated?.cleanup();
  });

  it('creates a product and reprices it at the next version', async () => {
    const [created, repriced] = await createAndReprice(`127.0.0.1:${app.port}`);
    expect(created?.version).toBe(1);
    expect(repriced).toMatchObject({ aggregateId: created?.aggregateId, version: 2 });
  });
});
