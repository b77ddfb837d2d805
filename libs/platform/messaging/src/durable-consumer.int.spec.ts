import { connect, nanos, type JetStreamManager, type NatsConnection } from 'nats';
import pino from 'pino';
import { eventStreamName, eventSubject } from '@cqrs/contracts';
import { eventually, isolatedEnvironment, newRunId, type IsolatedEnvironment } from '@cqrs/testing';
import { ensureEventStream } from './event-stream';
import {
  createDurableConsumer,
  type BatchHandler,
  type Delivery,
  type DurableConsumer,
  type DurableConsumerOptions,
} from './durable-consumer';

jest.setTimeout(60_000);

const STREAM_TYPE = 'catalog.product';
const logger = pino({ level: 'silent' });
const text = new TextDecoder();

describe('durable consumer (real JetStream)', () => {
  let isolated: IsolatedEnvironment;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let streams: { NATS_STREAM: string; NATS_SUBJECT_PREFIX: string };
  const running: DurableConsumer[] = [];

  beforeAll(async () => {
    isolated = isolatedEnvironment('consumer');
    streams = { NATS_STREAM: isolated.env['NATS_STREAM'] ?? '', NATS_SUBJECT_PREFIX: isolated.env['NATS_SUBJECT_PREFIX'] ?? '' };
    nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    jsm = await nc.jetstreamManager();
    // Most tests publish before their consumer starts; the first one checks that a consumer creates its stream itself.
    await ensureEventStream(jsm, streams, STREAM_TYPE);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await nc?.close();
    await isolated?.cleanup();
  });

  const stream = () => eventStreamName(streams.NATS_STREAM, STREAM_TYPE);

  /** A consumer of its own (random name) on the run's stream, started. */
  function start(handler: BatchHandler<string>, options: Partial<DurableConsumerOptions<string>> = {}): DurableConsumer {
    const consumer = createDurableConsumer(
      nc,
      { streams, streamType: STREAM_TYPE, name: `test-${newRunId()}`, decode: (data) => text.decode(data), ...options },
      handler,
      logger,
    );
    consumer.start();
    running.push(consumer);
    return consumer;
  }

  async function publish(aggregateId: string, payload: string): Promise<void> {
    await nc.jetstream().publish(eventSubject(streams.NATS_SUBJECT_PREFIX, STREAM_TYPE, aggregateId), new TextEncoder().encode(payload));
  }

  /** A handler that records what it saw and acknowledges it. */
  function recorder() {
    const seen: Array<Delivery<string>> = [];
    const handler: BatchHandler<string> = async (batch) => {
      seen.push(...batch);
      return batch.map(() => 'ack' as const);
    };
    return { seen, handler, values: () => seen.map((d) => d.value) };
  }

  it('creates the stream and the consumer, and a second start (another replica, or new settings) is idempotent', async () => {
    const streamType = 'orders.order';
    const ordersStream = eventStreamName(streams.NATS_STREAM, streamType);
    await expect(jsm.streams.info(ordersStream)).rejects.toThrow();
    const name = `test-${newRunId()}`;
    const first = recorder();
    start(first.handler, { name, streamType, ackWaitMs: 5_000, maxAckPending: 10 });
    const info = await eventually(() => jsm.consumers.info(ordersStream, name));
    expect(info.config).toMatchObject({ durable_name: name, ack_policy: 'explicit', ack_wait: nanos(5_000), max_ack_pending: 10 });
    const second = recorder();
    start(second.handler, { name, streamType, ackWaitMs: 6_000, maxAckPending: 10 });
    await eventually(async () => expect((await jsm.consumers.info(ordersStream, name)).config.ack_wait).toBe(nanos(6_000)));
    await nc.jetstream().publish(eventSubject(streams.NATS_SUBJECT_PREFIX, streamType, 'idem'), new TextEncoder().encode('once'));
    await eventually(() => expect([...first.values(), ...second.values()]).toEqual(['once']));
    const names: string[] = [];
    for await (const c of jsm.consumers.list(ordersStream)) names.push(c.name);
    expect(names).toEqual([name]);
  });

  it('holds at most maxAckPending messages and hands out at most batchSize per call, concurrency calls at once', async () => {
    const batches: number[] = [];
    let running = 0;
    let mostRunning = 0;
    let mostPending = 0;
    const name = `test-${newRunId()}`;
    const handler: BatchHandler<string> = async (batch) => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      batches.push(batch.length);
      const info = await jsm.consumers.info(stream(), name);
      mostPending = Math.max(mostPending, info.num_ack_pending);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return batch.map(() => 'ack' as const);
    };
    const before = (await jsm.streams.info(stream())).state.last_seq;
    const id = `bounded-${newRunId()}`;
    for (let i = 0; i < 60; i++) await publish(id, `b${i}`);
    start(handler, { name, batchSize: 3, concurrency: 2, maxAckPending: 6 });
    await eventually(
      async () => expect((await jsm.consumers.info(stream(), name)).ack_floor.stream_seq).toBeGreaterThanOrEqual(before + 60),
      {
        timeoutMs: 30_000,
      },
    );
    expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    expect(Math.max(...batches)).toBe(3);
    expect(mostRunning).toBeLessThanOrEqual(2);
    expect(mostPending).toBeLessThanOrEqual(6);
  });

  it('keeps a slow handler’s messages from redelivery with progress signals', async () => {
    const id = `slow-${newRunId()}`;
    const calls: Array<Delivery<string>> = [];
    await publish(id, 'slow');
    start(
      async (batch) => {
        const mine = batch.filter((d) => d.value === 'slow');
        calls.push(...mine);
        if (mine.length > 0) await new Promise((resolve) => setTimeout(resolve, 3_500));
        return batch.map(() => 'ack' as const);
      },
      { ackWaitMs: 1_000 },
    );
    await eventually(() => expect(calls).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(calls.map((d) => d.deliveries)).toEqual([1]);
  });

  it('redelivers a message after a nak, not before its delay', async () => {
    const id = `nak-${newRunId()}`;
    const at: Array<{ deliveries: number; ms: number }> = [];
    const start0 = Date.now();
    await publish(id, 'again');
    start(async (batch) =>
      batch.map((d) => {
        if (d.value !== 'again') return 'ack';
        at.push({ deliveries: d.deliveries, ms: Date.now() - start0 });
        return d.deliveries === 1 ? { nakDelayMs: 1_000 } : 'ack';
      }),
    );
    await eventually(() => expect(at.map((a) => a.deliveries)).toEqual([1, 2]));
    const [first, second] = at;
    expect((second?.ms ?? 0) - (first?.ms ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('stops cleanly: waits for the call under way, acks it, takes nothing more, and a successor gets the rest at once', async () => {
    const id = `stop-${newRunId()}`;
    const name = `test-${newRunId()}`;
    let release: () => void = () => undefined;
    const seen: string[] = [];
    await publish(id, 's1');
    await publish(id, 's2');
    const consumer = start(
      async (batch) => {
        seen.push(...batch.map((d) => d.value));
        if (batch.some((d) => d.value === 's1')) await new Promise<void>((resolve) => (release = resolve));
        return batch.map(() => 'ack' as const);
      },
      { name, ackWaitMs: 30_000 },
    );
    await eventually(() => expect(seen).toContain('s1'));
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();
    await stopping;
    const successor = recorder();
    const startedAt = Date.now();
    start(successor.handler, { name, ackWaitMs: 30_000 });
    // s2 was received but not handled: released at stop, so the successor does not wait out the 30 s ack wait.
    await eventually(() => expect(successor.values()).toContain('s2'));
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(successor.values()).not.toContain('s1');
    expect(seen.filter((v) => v === 's2')).toEqual([]);
  });

  it('creates its consumer again when it is deleted behind its back, and goes on', async () => {
    const id = `deleted-${newRunId()}`;
    const name = `test-${newRunId()}`;
    const seen = recorder();
    start(seen.handler, { name });
    await publish(id, 'before');
    await eventually(() => expect(seen.values()).toContain('before'));
    await jsm.consumers.delete(stream(), name);
    await publish(id, 'after');
    await eventually(() => expect(seen.values()).toContain('after'), { timeoutMs: 20_000 });
    expect((await jsm.consumers.info(stream(), name)).config.durable_name).toBe(name);
  });
});
