import type { NatsConnection } from 'nats';
import pino from 'pino';
import { backoffMs, createDurableConsumer, type BatchHandler, type DurableConsumerOptions } from './durable-consumer';

/** A delivered message that records what was done with it. */
class FakeMessage {
  readonly settled: string[] = [];
  signals = 0;
  readonly data: Uint8Array;
  readonly info: { redeliveryCount: number };
  constructor(
    readonly subject: string,
    readonly seq: number,
    text = `m${seq}`,
    deliveries = 1,
  ) {
    this.data = new TextEncoder().encode(text);
    this.info = { redeliveryCount: deliveries };
  }
  working(): void {
    this.signals++;
  }
  ack(): void {
    this.settled.push('ack');
  }
  term(): void {
    this.settled.push('term');
  }
  nak(delay?: number): void {
    this.settled.push(`nak:${delay ?? 0}`);
  }
}

/** What consume() returns: an iteration the test feeds, ends or fails. */
class FakeMessages {
  private readonly items: FakeMessage[] = [];
  private waiting: ((value: IteratorResult<FakeMessage>) => void) | undefined;
  private failWaiting: ((err: unknown) => void) | undefined;
  private done = false;
  push(...messages: FakeMessage[]): void {
    for (const message of messages) {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve({ value: message, done: false });
      } else this.items.push(message);
    }
  }
  fail(err: unknown): void {
    this.done = true;
    this.failWaiting?.(err);
  }
  stop(): void {
    this.done = true;
    this.waiting?.({ value: undefined, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterator<FakeMessage> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = resolve;
          this.failWaiting = reject;
        });
      },
    };
  }
}

/** Just enough of a NatsConnection for the consumer: the stream and consumer exist, consume() hands out FakeMessages. */
function fakeNats(options: { jetstreamManager?: () => Promise<unknown> } = {}) {
  const iterations: FakeMessages[] = [];
  const consumerLookups = { count: 0 };
  const jsm = {
    streams: {
      info: async () => ({ config: { name: 'S', storage: 'file', subjects: [] } }),
      update: async () => ({}),
    },
    consumers: {
      info: async () => {
        consumerLookups.count++;
        return { config: { ack_wait: 999, max_ack_pending: 999 } };
      },
      add: async () => ({}),
      update: async () => ({}),
    },
  };
  const nc = {
    isClosed: () => false,
    jetstreamManager: options.jetstreamManager ?? (async () => jsm),
    jetstream: () => ({
      consumers: {
        get: async () => ({
          consume: async () => {
            const messages = new FakeMessages();
            iterations.push(messages);
            return messages;
          },
        }),
      },
    }),
  };
  return { nc: nc as unknown as NatsConnection, iterations, consumerLookups };
}

const logger = pino({ level: 'silent' });

function options(overrides: Partial<DurableConsumerOptions<string>> = {}): DurableConsumerOptions<string> {
  return {
    streams: { NATS_STREAM: 'S', NATS_SUBJECT_PREFIX: 'p' },
    streamType: 'catalog.product',
    name: 'test-consumer',
    decode: (data) => {
      const text = new TextDecoder().decode(data);
      if (text === 'garbage') throw new Error('undecodable');
      return text;
    },
    reconnectDelayMs: 5,
    ...overrides,
  };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A handler whose calls wait until the test releases them. */
function gatedHandler() {
  const calls: Array<{ batch: string[]; release: () => void }> = [];
  let running = 0;
  let mostRunning = 0;
  const handler: BatchHandler<string> = async (batch) => {
    running++;
    mostRunning = Math.max(mostRunning, running);
    await new Promise<void>((release) => calls.push({ batch: batch.map((d) => d.value), release }));
    running--;
    return batch.map(() => 'ack' as const);
  };
  return { handler, calls, mostRunning: () => mostRunning };
}

describe('backoffMs', () => {
  it('doubles per attempt from the first delay, up to the most', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, 100))).toEqual([100, 200, 400, 800]);
    expect(backoffMs(0, 100)).toBe(100);
    expect(backoffMs(50, 100, 5_000)).toBe(5_000);
  });
});

describe('createDurableConsumer (a fake JetStream)', () => {
  it('hands out at most batchSize messages per call and at most concurrency calls at once', async () => {
    const { nc, iterations } = fakeNats();
    const gated = gatedHandler();
    const consumer = createDurableConsumer(nc, options({ batchSize: 2, concurrency: 2 }), gated.handler, logger);
    consumer.start();
    await until(() => iterations.length === 1);
    const messages = Array.from({ length: 7 }, (_, i) => new FakeMessage(`p.s.${i}`, i + 1));
    iterations[0]?.push(...messages);
    await until(() => gated.calls.length === 2);
    // Each message is handed out as it arrives while there is room; what arrives meanwhile waits and goes out in batches.
    expect(gated.calls.map((c) => c.batch)).toEqual([['m1'], ['m2']]);
    while (!messages.every((m) => m.settled.length === 1)) {
      for (const c of gated.calls) c.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(gated.mostRunning()).toBe(2);
    expect(gated.calls.map((c) => c.batch)).toEqual([['m1'], ['m2'], ['m3', 'm4'], ['m5', 'm6'], ['m7']]);
    expect(messages.map((m) => m.settled[0])).toEqual(Array(7).fill('ack'));
    await consumer.stop();
  });

  it('handles the messages of one subject one call after another', async () => {
    const { nc, iterations } = fakeNats();
    const gated = gatedHandler();
    const consumer = createDurableConsumer(nc, options({ concurrency: 4 }), gated.handler, logger);
    consumer.start();
    await until(() => iterations.length === 1);
    iterations[0]?.push(new FakeMessage('p.s.a', 1), new FakeMessage('p.s.a', 2), new FakeMessage('p.s.b', 3));
    await until(() => gated.calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gated.calls.map((c) => c.batch)).toEqual([['m1'], ['m3']]);
    gated.calls[0]?.release();
    await until(() => gated.calls.length === 3);
    expect(gated.calls[2]?.batch).toEqual(['m2']);
    for (const call of gated.calls) call.release();
    await consumer.stop();
  });

  it('settles each message as its outcome says; a handler that throws has its batch redelivered after retryDelayMs', async () => {
    const { nc, iterations } = fakeNats();
    const handler: BatchHandler<string> = async (batch) => {
      if (batch.some((d) => d.value === 'm4' || d.value === 'm5')) throw new Error('view store down');
      return batch.map((d) => (d.value === 'm1' ? 'ack' : d.value === 'm2' ? { nakDelayMs: 1_500 } : 'term'));
    };
    const consumer = createDurableConsumer(nc, options({ batchSize: 2, retryDelayMs: 250 }), handler, logger);
    consumer.start();
    await until(() => iterations.length === 1);
    const first = [new FakeMessage('p.s.a', 1), new FakeMessage('p.s.b', 2), new FakeMessage('p.s.c', 3)];
    iterations[0]?.push(...first);
    await until(() => first.every((m) => m.settled.length === 1));
    expect(first.map((m) => m.settled[0])).toEqual(['ack', 'nak:1500', 'term']);
    const second = [new FakeMessage('p.s.d', 4), new FakeMessage('p.s.e', 5)];
    iterations[0]?.push(...second);
    await until(() => second.every((m) => m.settled.length === 1));
    expect(second.map((m) => m.settled[0])).toEqual(['nak:250', 'nak:250']);
    await consumer.stop();
  });

  it('terminates a message it cannot decode without handing it to the handler', async () => {
    const { nc, iterations } = fakeNats();
    const seen: string[] = [];
    const consumer = createDurableConsumer(nc, options(), async (batch) => batch.map((d) => (seen.push(d.value), 'ack' as const)), logger);
    consumer.start();
    await until(() => iterations.length === 1);
    const bad = new FakeMessage('p.s.a', 1, 'garbage');
    const good = new FakeMessage('p.s.a', 2);
    iterations[0]?.push(bad, good);
    await until(() => good.settled.length === 1);
    expect(bad.settled).toEqual(['term']);
    expect(seen).toEqual(['m2']);
    await consumer.stop();
  });

  it('sends progress signals for every message it holds, queued or being handled, and none once settled', async () => {
    const { nc, iterations } = fakeNats();
    const gated = gatedHandler();
    // Signals go out every third of the ack wait: every 20 ms here.
    const consumer = createDurableConsumer(nc, options({ ackWaitMs: 60 }), gated.handler, logger);
    consumer.start();
    await until(() => iterations.length === 1);
    const handling = new FakeMessage('p.s.a', 1);
    const queued = new FakeMessage('p.s.b', 2);
    iterations[0]?.push(handling, queued);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(handling.signals).toBeGreaterThanOrEqual(3);
    expect(queued.signals).toBeGreaterThanOrEqual(3);
    gated.calls[0]?.release();
    await until(() => gated.calls.length === 2);
    gated.calls[1]?.release();
    await until(() => queued.settled.length === 1);
    const after = handling.signals + queued.signals;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(handling.signals + queued.signals).toBe(after);
    await consumer.stop();
  });

  it('stops: waits for the calls under way, releases the queued messages at once, takes no more', async () => {
    const { nc, iterations } = fakeNats();
    const gated = gatedHandler();
    const consumer = createDurableConsumer(nc, options(), gated.handler, logger);
    consumer.start();
    await until(() => iterations.length === 1);
    const handling = new FakeMessage('p.s.a', 1);
    const queued = new FakeMessage('p.s.b', 2);
    iterations[0]?.push(handling, queued);
    await until(() => gated.calls.length === 1);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queued.settled).toEqual(['nak:0']);
    expect(stopped).toBe(false);
    gated.calls[0]?.release();
    await stopping;
    expect(handling.settled).toEqual(['ack']);
    expect(gated.calls).toHaveLength(1);
  });

  it('does not wait for NATS when stopped before it could set up', async () => {
    const { nc } = fakeNats({ jetstreamManager: () => new Promise(() => undefined) });
    const consumer = createDurableConsumer(nc, options(), async () => [], logger);
    consumer.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(consumer.stop()).resolves.toBeUndefined();
  });

  it('sets up again and consumes again after its iteration fails (a consumer deleted, NATS restarted)', async () => {
    const { nc, iterations, consumerLookups } = fakeNats();
    const seen: string[] = [];
    const consumer = createDurableConsumer(nc, options(), async (batch) => batch.map((d) => (seen.push(d.value), 'ack' as const)), logger);
    consumer.start();
    await until(() => iterations.length === 1);
    expect(consumerLookups.count).toBe(1);
    iterations[0]?.fail(new Error('consumer deleted'));
    await until(() => iterations.length === 2);
    expect(consumerLookups.count).toBe(2);
    iterations[1]?.push(new FakeMessage('p.s.a', 1));
    await until(() => seen.length === 1);
    await consumer.stop();
  });
});
