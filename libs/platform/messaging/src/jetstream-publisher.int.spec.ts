import pino from 'pino';
import { commonV1 } from '@cqrs/contracts';
import { DependencyUnavailableError } from '@cqrs/errors';
import { eventually, startPrivateNats, type PrivateNats } from '@cqrs/testing';
import { JetStreamEventPublisher } from './jetstream-publisher';
import { NatsClient } from './nats-connection';

jest.setTimeout(30_000);

describe('JetStreamEventPublisher across a broker outage', () => {
  let nats: PrivateNats;
  let client: NatsClient;
  const config = { NATS_STREAM: 'PUBLISHER_TEST', NATS_SUBJECT_PREFIX: 'publisher_test' };

  beforeAll(async () => {
    nats = await startPrivateNats();
    client = new NatsClient({ NATS_URL: nats.url }, 'publisher-test', pino({ level: 'silent' }));
    await client.ready;
  });

  afterAll(async () => {
    await client.close();
    await nats.dispose();
  });

  const envelope = (version: number) =>
    commonV1.EventEnvelope.fromPartial({
      eventId: `e-${version}`,
      streamId: 'test.counter-a',
      streamType: 'test.counter',
      aggregateId: 'a',
      version,
    });

  it('fails at once while disconnected rather than after its ack timeout, and publishes after the reconnect', async () => {
    const publisher = new JetStreamEventPublisher(client, config, 5_000);
    await publisher.prepare(new Set(['test.counter']));
    await publisher.publish(envelope(1));

    await nats.stop();
    await eventually(() =>
      expect(
        Promise.race([client.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no pong')), 200))]),
      ).rejects.toThrow(),
    );
    const started = Date.now();
    await expect(publisher.publish(envelope(2))).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);

    await nats.start();
    await eventually(() => publisher.publish(envelope(2)), { timeoutMs: 15_000 });
  });
});
