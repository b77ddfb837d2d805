import { commonV1, encodeConsistencyToken } from '@cqrs/contracts';
import { ValidationError } from '@cqrs/errors';
import type { RequestContext } from '@cqrs/grpc-kit';
import { readWhenCaughtUp, requirementOf, waitForView } from './read-consistency';
import { fakeViewChanges } from './fake-view-changes';

/** The test decides when a notification about product `a` arrives. */
function fakeChanges() {
  const { changes, notify } = fakeViewChanges();
  return { changes, notify: (version: number) => notify('catalog.product', 'a', version) };
}

function context(deadlineInMs: number): RequestContext {
  return { deadline: Date.now() + deadlineInMs, signal: new AbortController().signal } as RequestContext;
}

describe('waitForView', () => {
  it('sees a notification that arrives while the version is being read', async () => {
    const { changes, notify } = fakeChanges();
    let version = 1;
    const reads: number[] = [];
    const currentVersion = async () => {
      reads.push(Date.now());
      const seen = version;
      if (reads.length === 1) {
        // The projector applies version 2 and notifies between this read and the wait.
        version = 2;
        notify(2);
      }
      return seen;
    };
    await expect(
      waitForView({ streamType: 'catalog.product', aggregateId: 'a', version: 2 }, currentVersion, changes, context(30_000), 1_000),
    ).resolves.toBeUndefined();
    expect(reads).toHaveLength(2);
  });

  it('answers FAILED_PRECONDITION with the current version when the deadline comes first', async () => {
    const { changes } = fakeChanges();
    await expect(
      waitForView({ streamType: 'catalog.product', aggregateId: 'a', version: 5 }, async () => 3, changes, context(300), 10_000),
    ).rejects.toMatchObject({
      message: expect.stringContaining('is at version 3, not yet at 5'),
    });
  });

  it('returns when the version is reached just as the wait times out', async () => {
    const { changes } = fakeChanges();
    let calls = 0;
    // No notification ever arrives, but the view catches up during the wait.
    await expect(
      waitForView(
        { streamType: 'catalog.product', aggregateId: 'a', version: 2 },
        async () => (++calls > 1 ? 2 : 1),
        changes,
        context(300),
        10_000,
      ),
    ).resolves.toBeUndefined();
  });
  it('answers at once, saying so, when the notifications are down', async () => {
    const { changes, disconnect } = fakeViewChanges();
    disconnect();
    const started = Date.now();
    await expect(
      waitForView({ streamType: 'catalog.product', aggregateId: 'a', version: 2 }, async () => 1, changes, context(30_000), 10_000),
    ).rejects.toMatchObject({ metadata: expect.objectContaining({ notifications: 'down' }) });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(changes.subscriptionCount).toBe(0);
  });
});

describe('readWhenCaughtUp', () => {
  const views = (versions: number[]) => {
    const reads: number[] = [];
    return { reads, read: async () => ({ id: 'a', version: versions[reads.push(0) - 1] ?? versions[versions.length - 1] ?? 0 }) };
  };

  it('answers with the read that showed the required version of the same aggregate: one read, no version check', async () => {
    const { changes } = fakeChanges();
    const { reads, read } = views([3]);
    const versionOfRequired = jest.fn(async () => 3);
    await expect(
      readWhenCaughtUp(
        { streamType: 'catalog.product', aggregateId: 'a', version: 3 },
        'a',
        read,
        versionOfRequired,
        changes,
        context(30_000),
        1_000,
      ),
    ).resolves.toEqual({ id: 'a', version: 3 });
    expect(reads).toHaveLength(1);
    expect(versionOfRequired).not.toHaveBeenCalled();
  });

  it('reads again after each notification until the view is there, and answers with that read', async () => {
    const { changes, notify } = fakeChanges();
    const { reads, read } = views([1, 2]);
    const answer = readWhenCaughtUp(
      { streamType: 'catalog.product', aggregateId: 'a', version: 2 },
      'a',
      read,
      async () => 0,
      changes,
      context(30_000),
      5_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    notify(2);
    await expect(answer).resolves.toEqual({ id: 'a', version: 2 });
    expect(reads).toHaveLength(2);
  });

  it("waits on another aggregate's version when the token is about another aggregate, then reads", async () => {
    const { changes } = fakeChanges();
    const { reads, read } = views([1]);
    const versionOfRequired = jest.fn(async () => 7);
    await expect(
      readWhenCaughtUp(
        { streamType: 'catalog.product', aggregateId: 'b', version: 7 },
        'a',
        read,
        versionOfRequired,
        changes,
        context(30_000),
        1_000,
      ),
    ).resolves.toEqual({ id: 'a', version: 1 });
    expect(versionOfRequired).toHaveBeenCalledTimes(1);
    expect(reads).toHaveLength(1);
  });

  it('reads once without a requirement', async () => {
    const { changes } = fakeChanges();
    const { reads, read } = views([5]);
    await expect(readWhenCaughtUp(undefined, 'a', read, async () => 0, changes, context(30_000), 1_000)).resolves.toEqual({
      id: 'a',
      version: 5,
    });
    expect(reads).toHaveLength(1);
  });
});

describe('requirementOf', () => {
  const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
  const token = (streamType: string, version: number) =>
    encodeConsistencyToken({ streamId: `${streamType}-${ID}`, streamType, aggregateId: ID, version, position: 1 });

  it("takes the aggregate and version from the token's parts", () => {
    expect(requirementOf({ consistencyToken: token('orders.order', 4), minVersion: 0 }, 'orders.order')).toEqual({
      streamType: 'orders.order',
      aggregateId: ID,
      version: 4,
    });
  });

  it('still reads a token that names only the stream id', () => {
    const old = Buffer.from(
      commonV1.ConsistencyToken.encode({
        streamId: `orders.order-${ID}`,
        version: 2,
        position: 1,
        streamType: '',
        aggregateId: '',
      }).finish(),
    ).toString('base64url');
    expect(requirementOf({ consistencyToken: old, minVersion: 0 }, 'orders.order')).toEqual({
      streamType: 'orders.order',
      aggregateId: ID,
      version: 2,
    });
  });

  it("refuses another context's token", () => {
    expect(() => requirementOf({ consistencyToken: token('catalog.product', 4), minVersion: 0 }, 'orders.order')).toThrow(ValidationError);
  });
});
