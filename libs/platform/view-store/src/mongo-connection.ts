import { MongoClient, type Db } from 'mongodb';

export interface MongoConfig {
  readonly MONGODB_URL: string;
  readonly MONGODB_DATABASE: string;
  readonly MONGODB_MAX_POOL_SIZE?: number;
}

export interface ViewDatabase {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

/** The view store. The driver connects lazily and reconnects on its own; nothing here waits. */
export function createViewDatabase(config: MongoConfig): ViewDatabase {
  const client = new MongoClient(config.MONGODB_URL, {
    serverSelectionTimeoutMS: 2_000,
    connectTimeoutMS: 2_000,
    maxPoolSize: config.MONGODB_MAX_POOL_SIZE ?? 10,
    appName: 'cqrs-grpc-platform',
  });
  return { client, db: client.db(config.MONGODB_DATABASE), close: () => client.close() };
}

export function mongoProbe(views: ViewDatabase) {
  return {
    name: 'mongodb',
    check: async () => {
      await views.db.command({ ping: 1 });
    },
  };
}
