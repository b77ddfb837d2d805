import pino from 'pino';
import type { commonV1 } from '@cqrs/contracts';
import type { StoredEvent } from './event-store.types';
import type { MysqlLeaderLock } from './leader-lock';
import { OutboxRelay, wavesOf, type EventPublisher } from './outbox-relay';
import type { OutboxStore } from './outbox-store';

const event = (streamId: string, version: number, position: number): StoredEvent => ({
  eventId: `${streamId}-${version}`,
  streamId,
  streamType: 'test.counter',
  aggregateId: streamId,
  version,
  position,
  type: 'test.Added',
  schemaVersion: 1,
  payload: Buffer.alloc(0),
  metadata: {},
  occurredAt: new Date(0),
});

function fakeOutbox(events: StoredEvent[]) {
  const pending = [...events];
  const outbox = {
    pending: async (limit: number) => pending.slice(0, limit),
    markPublished: async (positions: readonly number[]) => {
      for (const position of positions)
        pending.splice(
          pending.findIndex((e) => e.position === position),
          1,
        );
    },
  };
  return { outbox: outbox as unknown as OutboxStore, pending };
}

const alwaysLeader = {
  name: 'test',
  tryAcquire: async () => true,
  isHeld: async () => true,
  release: async () => undefined,
} as unknown as MysqlLeaderLock;

describe('wavesOf', () => {
  it('puts at most one event of each stream in a wave, keeping each stream in order', () => {
    const batch = [event('a', 1, 1), event('a', 2, 2), event('b', 1, 3), event('a', 3, 4), event('c', 1, 5), event('b', 2, 6)];
    expect(wavesOf(batch).map((wave) => wave.map((e) => e.eventId))).toEqual([['a-1', 'b-1', 'c-1'], ['a-2', 'b-2'], ['a-3']]);
  });
});

describe('OutboxRelay', () => {
  it('publishes every event once per stream in version order and empties the outbox', async () => {
    const { outbox, pending } = fakeOutbox([event('a', 1, 1), event('b', 1, 2), event('a', 2, 3), event('a', 3, 4)]);
    const published: string[] = [];
    const publisher: EventPublisher = {
      prepare: async () => undefined,
      publish: async (e: commonV1.EventEnvelope) => void published.push(e.eventId),
    };
    const relay = new OutboxRelay(outbox, alwaysLeader, publisher, pino({ level: 'silent' }), { sweepIntervalMs: 20 });
    relay.start();
    await waitFor(() => pending.length === 0);
    await relay.stop();
    expect(published.filter((id) => id.startsWith('a-'))).toEqual(['a-1', 'a-2', 'a-3']);
    expect(published).toHaveLength(4);
  });

  it('keeps a stream whose publish failed from overtaking itself, and retries it', async () => {
    const { outbox, pending } = fakeOutbox([event('a', 1, 1), event('b', 1, 2), event('a', 2, 3), event('b', 2, 4)]);
    const published: string[] = [];
    let failuresLeft = 1;
    const publisher: EventPublisher = {
      prepare: async () => undefined,
      publish: async (e: commonV1.EventEnvelope) => {
        if (e.eventId === 'a-1' && failuresLeft-- > 0) throw new Error('no ack');
        published.push(e.eventId);
      },
    };
    const relay = new OutboxRelay(outbox, alwaysLeader, publisher, pino({ level: 'silent' }), { sweepIntervalMs: 20, maxBackoffMs: 20 });
    relay.start();
    await waitFor(() => pending.length === 0);
    await relay.stop();
    expect(published).toEqual(['b-1', 'b-2', 'a-1', 'a-2']);
  });

  it("prepares each stream type's destination before its first publish, and again after a failure", async () => {
    const typed = (streamType: string, streamId: string, position: number): StoredEvent => ({
      ...event(streamId, 1, position),
      streamType,
    });
    const { outbox, pending } = fakeOutbox([typed('catalog.product', 'p', 1), typed('orders.order', 'o', 2)]);
    const prepared: string[][] = [];
    let failuresLeft = 1;
    const publisher: EventPublisher = {
      prepare: async (types) => void prepared.push([...types].sort()),
      publish: async (e: commonV1.EventEnvelope) => {
        if (e.streamType === 'orders.order' && failuresLeft-- > 0) throw new Error('no stream');
      },
    };
    const relay = new OutboxRelay(outbox, alwaysLeader, publisher, pino({ level: 'silent' }), { sweepIntervalMs: 20, maxBackoffMs: 20 });
    relay.start();
    await waitFor(() => pending.length === 0);
    for (const [streamId, position] of [
      ['p2', 3],
      ['p3', 4],
    ] as const) {
      pending.push(typed('catalog.product', streamId, position));
      relay.wake();
      await waitFor(() => pending.length === 0);
    }
    await relay.stop();
    // Once for both types; a failure forgets what was prepared, so each is prepared again when it
    // next comes, and then not again.
    expect(prepared).toEqual([['catalog.product', 'orders.order'], ['orders.order'], ['catalog.product']]);
  });

  it('does not lose a wake that comes during a round, after an idle that ended on its timer', async () => {
    // Round 2 starts when the first idle's timer fires; a commit lands while it reads the outbox
    // (too late for that read) and wakes the relay. That event must go out at once, not a sweep later.
    const waiting: StoredEvent[] = [];
    const readAt: number[] = [];
    const outbox = {
      pending: async () => {
        readAt.push(performance.now());
        const snapshot = [...waiting];
        if (readAt.length === 2) {
          waiting.push(event('late', 1, 1));
          relay.wake();
        }
        return snapshot;
      },
      markPublished: async (positions: readonly number[]) => {
        for (const position of positions)
          waiting.splice(
            waiting.findIndex((e) => e.position === position),
            1,
          );
      },
    } as unknown as OutboxStore;
    const published: string[] = [];
    const relay = new OutboxRelay(
      outbox,
      alwaysLeader,
      { prepare: async () => undefined, publish: async (e) => void published.push(e.eventId) },
      pino({ level: 'silent' }),
      { sweepIntervalMs: 1_000 },
    );
    relay.start();
    await waitFor(() => published.length === 1, 5_000);
    await relay.stop();
    // The third read follows the second at once; a lost wake would put a whole sweep (1 s) between them.
    expect((readAt[2] ?? Infinity) - (readAt[1] ?? 0)).toBeLessThan(500);
  });

  it('stays in the pause after a failed publish when commits wake it, and leaves it as soon as the publisher is back', async () => {
    const { outbox, pending } = fakeOutbox([event('a', 1, 1)]);
    let reads = 0;
    const counted = { ...outbox, pending: async (limit: number) => (reads++, outbox.pending(limit)) } as unknown as OutboxStore;
    let brokerUp = false;
    const publisher: EventPublisher = {
      prepare: async () => undefined,
      publish: async () => {
        if (!brokerUp) throw new Error('nats is unavailable');
      },
    };
    const relay = new OutboxRelay(counted, alwaysLeader, publisher, pino({ level: 'silent' }), {
      sweepIntervalMs: 20,
      maxBackoffMs: 10_000,
    });
    relay.start();
    await waitFor(() => reads === 1);
    for (let i = 0; i < 5; i++) {
      relay.wake();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(reads).toBe(1);
    brokerUp = true;
    relay.publisherAvailable();
    await waitFor(() => pending.length === 0, 1_000);
    await relay.stop();
  });

  it('publishes nothing while another process holds the lock', async () => {
    const { outbox, pending } = fakeOutbox([event('a', 1, 1)]);
    const follower = { ...alwaysLeader, tryAcquire: async () => false, isHeld: async () => false } as unknown as MysqlLeaderLock;
    const publish = jest.fn();
    const relay = new OutboxRelay(outbox, follower, { prepare: async () => undefined, publish }, pino({ level: 'silent' }), {
      sweepIntervalMs: 10,
    });
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await relay.stop();
    expect(publish).not.toHaveBeenCalled();
    expect(pending).toHaveLength(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
