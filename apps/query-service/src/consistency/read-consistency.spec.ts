import type { RequestContext } from '@cqrs/grpc-kit';
import { waitForView } from './read-consistency';
import type { ViewChanges } from './view-changes';

/** A stand-in for the core NATS notifications: the test decides when a notification arrives. */
function fakeChanges() {
  const listeners = new Set<(version: number) => void>();
  const changes = {
    live: true,
    isClosed: false,
    listen: (_id: string, listener: (version: number) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { changes: changes as unknown as ViewChanges, notify: (version: number) => listeners.forEach((l) => l(version)) };
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
    await expect(waitForView({ aggregateId: 'a', version: 2 }, currentVersion, changes, context(30_000), 1_000)).resolves.toBeUndefined();
    expect(reads).toHaveLength(2);
  });

  it('answers FAILED_PRECONDITION with the current version when the deadline comes first', async () => {
    const { changes } = fakeChanges();
    await expect(waitForView({ aggregateId: 'a', version: 5 }, async () => 3, changes, context(300), 10_000)).rejects.toMatchObject({
      message: expect.stringContaining('is at version 3, not yet at 5'),
    });
  });

  it('returns when the version is reached just as the wait times out', async () => {
    const { changes } = fakeChanges();
    let calls = 0;
    // No notification ever arrives, but the view catches up during the wait.
    await expect(waitForView({ aggregateId: 'a', version: 2 }, async () => (++calls > 1 ? 2 : 1), changes, context(300), 10_000)).resolves.toBeUndefined();
  });
});
