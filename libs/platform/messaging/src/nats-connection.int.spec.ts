import pino from 'pino';
import { eventually, startPrivateNats, type PrivateNats } from '@cqrs/testing';
import { NatsClient, natsProbe } from './nats-connection';

jest.setTimeout(30_000);

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return Promise.race([promise, new Promise<void>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

describe('NatsClient', () => {
  let nats: PrivateNats;
  let client: NatsClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    client = new NatsClient({ NATS_URL: nats.url }, 'nats-connection-test', pino({ level: 'silent' }));
    await client.ready;
  });

  afterAll(async () => {
    await client.close();
    await nats.dispose();
  });

  it('answers the probe while the server is up', async () => {
    await expect(natsProbe(client).check()).resolves.toBeUndefined();
  });

  it('fails the probe while the server is down and recovers when it returns', async () => {
    await nats.stop();
    await eventually(() => expect(withTimeout(client.ping(), 300)).rejects.toThrow());
    await nats.start();
    await eventually(() => withTimeout(client.ping(), 300), { timeoutMs: 15_000 });
  });

  it('says it is disconnected while the server is down, and calls back on the reconnect', async () => {
    const reconnected = jest.fn();
    client.onReconnect(reconnected);
    expect(client.connected).toBe(true);
    await nats.stop();
    await eventually(() => expect(client.connected).toBe(false));
    await nats.start();
    await eventually(() => expect(reconnected).toHaveBeenCalledTimes(1), { timeoutMs: 15_000 });
    expect(client.connected).toBe(true);
  });

  it('waits for a server that is not there yet at start-up', async () => {
    await nats.stop();
    const late = new NatsClient({ NATS_URL: nats.url }, 'late-client', pino({ level: 'silent' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(late.current).toBeUndefined();
    await nats.start();
    await expect(late.ready).resolves.toBeDefined();
    await late.ping();
    await late.close();
  });
});
