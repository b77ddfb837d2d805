import { connect, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { eventStreamName, eventSubject } from '@cqrs/contracts';
import { isolatedEnvironment, type IsolatedEnvironment } from '@cqrs/testing';
import { ensureEventStream, eventStreamNames } from './event-stream';

jest.setTimeout(30_000);

describe('event streams, one per stream type (real JetStream)', () => {
  let isolated: IsolatedEnvironment;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let config: { NATS_STREAM: string; NATS_SUBJECT_PREFIX: string };

  beforeAll(async () => {
    isolated = isolatedEnvironment('streams');
    config = { NATS_STREAM: isolated.env['NATS_STREAM'] ?? '', NATS_SUBJECT_PREFIX: isolated.env['NATS_SUBJECT_PREFIX'] ?? '' };
    nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    jsm = await nc.jetstreamManager();
  });

  afterAll(async () => {
    await nc?.close();
    await isolated?.cleanup();
  });

  it('gives each stream type a file-backed stream that holds only its own subjects', async () => {
    const products = await ensureEventStream(jsm, config, 'catalog.product');
    const orders = await ensureEventStream(jsm, config, 'orders.order');
    expect(products).toBe(eventStreamName(config.NATS_STREAM, 'catalog.product'));
    expect(products).toMatch(/_CATALOG_PRODUCT$/);

    const info = await jsm.streams.info(products);
    expect(info.config.subjects).toEqual([`${config.NATS_SUBJECT_PREFIX}.catalog.product.*`]);
    expect(info.config.storage).toBe(StorageType.File);
    expect(info.config.duplicate_window).toBeGreaterThan(0);

    const js = nc.jetstream();
    const ack = await js.publish(eventSubject(config.NATS_SUBJECT_PREFIX, 'orders.order', 'o-1'), new Uint8Array([1]));
    expect(ack.stream).toBe(orders);
    expect((await jsm.streams.info(products)).state.messages).toBe(0);
    expect((await eventStreamNames(jsm, config)).sort()).toEqual([orders, products].sort());
  });

  it('is safe to call again: the stream and its messages stay', async () => {
    const orders = await ensureEventStream(jsm, config, 'orders.order');
    expect((await jsm.streams.info(orders)).state.messages).toBe(1);
  });

  it('refuses, naming it, when a stream of the old layout already holds the subjects', async () => {
    const old = isolatedEnvironment('oldlayout');
    const oldConfig = { NATS_STREAM: old.env['NATS_STREAM'] ?? '', NATS_SUBJECT_PREFIX: old.env['NATS_SUBJECT_PREFIX'] ?? '' };
    try {
      await jsm.streams.add({ name: oldConfig.NATS_STREAM, subjects: [`${oldConfig.NATS_SUBJECT_PREFIX}.>`], storage: StorageType.File });
      await expect(ensureEventStream(jsm, oldConfig, 'catalog.product')).rejects.toThrow(
        `stream ${oldConfig.NATS_STREAM} already holds ${oldConfig.NATS_SUBJECT_PREFIX}.catalog.product.*`,
      );
    } finally {
      await jsm.streams.delete(oldConfig.NATS_STREAM).catch(() => undefined);
      await old.cleanup();
    }
  });
});
