import { MongoClient, type Db } from 'mongodb';
import type { Logger } from '@cqrs/logging';

export interface MongoConfig {
  readonly MONGODB_URL: string;
  readonly MONGODB_DATABASE: string;
  readonly MONGODB_MAX_POOL_SIZE?: number;
}

export interface ViewDatabase {
  readonly url: string;
  readonly client: MongoClient;
  /** Stays valid across reconnect(): the driver routes it through the client's current connections. */
  readonly db: Db;
  /** Closes the client and connects it again, whatever state its pool and monitor were left in. */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

const TIMEOUTS = { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 } as const;

/** The view store. The driver connects lazily and reconnects on its own; nothing here waits. */
export function createViewDatabase(config: MongoConfig): ViewDatabase {
  const client = new MongoClient(config.MONGODB_URL, {
    ...TIMEOUTS,
    // A server marked unknown after a network error is looked at again within a second.
    heartbeatFrequencyMS: 1_000,
    maxPoolSize: config.MONGODB_MAX_POOL_SIZE ?? 10,
    appName: 'cqrs-grpc-platform',
  });
  let reconnecting: Promise<void> | undefined;
  const reconnect = () =>
    (reconnecting ??= (async () => {
      await client.close(true).catch(() => undefined);
      await client.connect();
    })().finally(() => (reconnecting = undefined)));
  return { url: config.MONGODB_URL, client, db: client.db(config.MONGODB_DATABASE), reconnect, close: () => client.close() };
}

export interface MongoProbeOptions {
  /** How long the client may fail while a new connection to the same server answers, before it is reconnected. */
  readonly reconnectAfterMs?: number;
  readonly logger?: Logger;
}

/**
 * The view store's health probe. It also heals a wedged client: when the app's client has failed
 * for reconnectAfterMs (10 s by default) while a new connection answers, the client is reconnected.
 */
export function mongoProbe(views: ViewDatabase, options: MongoProbeOptions = {}) {
  let failingSince: number | undefined;
  return {
    name: 'mongodb',
    check: async () => {
      try {
        await views.db.command({ ping: 1 });
        failingSince = undefined;
      } catch (err) {
        const now = Date.now();
        failingSince ??= now;
        if (now - failingSince >= (options.reconnectAfterMs ?? 10_000) && (await answersNewConnection(views))) {
          failingSince = now;
          options.logger?.warn({ err }, 'the view store answers a new connection but not this client; reconnecting the client');
          await views.reconnect();
        }
        throw err;
      }
    },
  };
}

async function answersNewConnection(views: ViewDatabase): Promise<boolean> {
  const fresh = new MongoClient(views.url, TIMEOUTS);
  try {
    await fresh.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await fresh.close().catch(() => undefined);
  }
}
