import { freePort, isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { createViewDatabase, mongoProbe } from './mongo-connection';

jest.setTimeout(30_000);

describe('view database', () => {
  const isolated = isolatedEnvironment();

  afterAll(() => isolated.cleanup());

  it('reaches the view store and uses the configured database', async () => {
    const views = createViewDatabase({ MONGODB_URL: LOCAL_URLS.MONGODB_URL, MONGODB_DATABASE: isolated.runId });
    try {
      await expect(mongoProbe(views).check()).resolves.toBeUndefined();
      await views.db.collection('probe').insertOne({ _id: 'x' } as never);
      expect(await views.client.db(isolated.runId).collection('probe').countDocuments()).toBe(1);
    } finally {
      await views.close();
    }
  });

  it('fails the probe when nothing listens', async () => {
    const port = await freePort();
    const views = createViewDatabase({ MONGODB_URL: `mongodb://127.0.0.1:${port}`, MONGODB_DATABASE: 'x' });
    try {
      await expect(mongoProbe(views).check()).rejects.toThrow();
    } finally {
      await views.close();
    }
  });
});
