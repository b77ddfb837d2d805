import { connect, type NatsConnection } from 'nats';
import type { Logger } from '@cqrs/logging';

export interface NatsConfig {
  readonly NATS_URL: string;
}

/**
 * A NATS connection that keeps trying: the first connect waits for the server, and a lost
 * connection reconnects forever. Callers that need it now check `current`.
 */
export class NatsClient {
  private connection: NatsConnection | undefined;
  private closed = false;
  private disconnected = false;
  private readonly reconnectListeners = new Set<() => void>();
  readonly ready: Promise<NatsConnection>;

  constructor(
    config: NatsConfig,
    name: string,
    private readonly logger: Logger,
  ) {
    this.ready = connect({
      servers: config.NATS_URL.replace(/^nats:\/\//, ''),
      name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    }).then((nc) => {
      this.connection = nc;
      void this.logStatus(nc);
      if (this.closed) void nc.close();
      return nc;
    });
    this.ready.catch((err: unknown) => logger.error({ err }, 'NATS connection failed'));
  }

  /** The connection if it was ever established (it may be reconnecting). */
  get current(): NatsConnection | undefined {
    return this.connection;
  }

  /**
   * Connected right now. A request sent while reconnecting is not answered after the reconnect
   * (it waits out its timeout), so callers that would wait for an answer check this first.
   */
  get connected(): boolean {
    return this.connection !== undefined && !this.disconnected && !this.connection.isClosed();
  }

  /** Calls the listener each time the connection is re-established after a loss. */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  /** A round trip to the server; rejects, or waits (callers time out) while it is unreachable. */
  async ping(): Promise<void> {
    const nc = this.connection ?? (await this.ready);
    if (nc.isClosed()) throw new Error('NATS connection closed');
    await nc.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    const nc = this.connection;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async logStatus(nc: NatsConnection): Promise<void> {
    this.logger.info({ server: nc.getServer() }, 'connected to NATS');
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.disconnected = status.type === 'disconnect';
        this.logger.info({ event: status.type, server: status.data }, 'NATS connection status');
      }
      if (status.type === 'reconnect') for (const listener of this.reconnectListeners) listener();
    }
  }
}

export function natsProbe(client: NatsClient) {
  return { name: 'nats', check: () => client.ping() };
}
