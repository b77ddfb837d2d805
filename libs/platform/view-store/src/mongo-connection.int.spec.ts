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

  it('reconnects a client that keeps failing while the server answers new connections', async () => {
    const views = createViewDatabase({ MONGODB_URL: LOCAL_URLS.MONGODB_URL, MONGODB_DATABASE: isolated.runId });
    const probe = mongoProbe(views, { reconnectAfterMs: 300 });
    const collection = views.db.collection('wedged');
    try {
      await probe.check();
      // A client left closed behind the app's back fails every operation for good: wedged.
      await views.client.close();
      await expect(probe.check()).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expect(probe.check()).rejects.toThrow();
      await expect(probe.check()).resolves.toBeUndefined();
      await collection.insertOne({ _id: 'after' } as never);
      expect(await collection.countDocuments()).toBe(1);
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
