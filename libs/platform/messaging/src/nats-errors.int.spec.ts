import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { DependencyUnavailableError } from '@cqrs/errors';
import { isolatedEnvironment, startPrivateNats, type IsolatedEnvironment } from '@cqrs/testing';
import { ensureEventStream } from './event-stream';
import { ConsumerNotFoundError, JetStreamApiCode, natsCall, StreamNotFoundError } from './nats-errors';

jest.setTimeout(30_000);

describe('NATS error translation, on what a real JetStream answers', () => {
  let isolated: IsolatedEnvironment;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    isolated = isolatedEnvironment('natserr');
    nc = await connect({ servers: (isolated.env['NATS_URL'] ?? '').replace('nats://', '') });
    jsm = await nc.jetstreamManager();
  });

  afterAll(async () => {
    await nc?.close();
    await isolated?.cleanup();
  });

  it('a missing stream is StreamNotFoundError (10059), from a stream lookup and from a consumer lookup alike', async () => {
    const missing = `${isolated.env['NATS_STREAM']}_MISSING`;
    await expect(natsCall(() => jsm.streams.info(missing))).rejects.toMatchObject({
      name: 'StreamNotFoundError',
      errCode: JetStreamApiCode.StreamNotFound,
    });
    await expect(natsCall(() => jsm.consumers.info(missing, 'nobody'))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('a missing consumer on a stream that exists is ConsumerNotFoundError (10014)', async () => {
    const config = { NATS_STREAM: isolated.env['NATS_STREAM'] ?? '', NATS_SUBJECT_PREFIX: isolated.env['NATS_SUBJECT_PREFIX'] ?? '' };
    const stream = await ensureEventStream(jsm, config, 'catalog.product');
    const err: unknown = await natsCall(() => jsm.consumers.info(stream, 'nobody')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerNotFoundError);
    expect(err).toMatchObject({ errCode: JetStreamApiCode.ConsumerNotFound });
  });

  it('a server that does not answer (stopped) is NATS unavailable', async () => {
    const nats = await startPrivateNats();
    const own = await connect({ servers: nats.url.replace('nats://', ''), reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    try {
      const ownJsm = await own.jetstreamManager({ timeout: 1_000 });
      await nats.stop();
      await expect(natsCall(() => ownJsm.streams.info('ANY'))).rejects.toBeInstanceOf(DependencyUnavailableError);
    } finally {
      await own.close();
      await nats.dispose();
    }
  });
});
