import { createConnection, type Connection } from 'mysql2/promise';
import type { MysqlConfig } from './mysql-connection';

/**
 * Leadership through a MySQL named lock (GET_LOCK) held on a connection of its own: one holder
 * at a time per lock name, released by the server as soon as the holder's connection dies.
 */
export class MysqlLeaderLock {
  private connection: Connection | undefined;

  constructor(
    private readonly config: MysqlConfig,
    readonly name: string,
  ) {}

  /** True when this process holds the lock (now or already). */
  async tryAcquire(): Promise<boolean> {
    try {
      const connection = await this.connect();
      const [rows] = await connection.query('SELECT GET_LOCK(?, 0) AS acquired', [this.name]);
      return (rows as { acquired: number | null }[])[0]?.acquired === 1;
    } catch {
      await this.dropConnection();
      return false;
    }
  }

  /** Still the holder? False when the lock's connection was lost. */
  async isHeld(): Promise<boolean> {
    if (this.connection === undefined) return false;
    try {
      const [rows] = await this.connection.query('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS held', [this.name]);
      return (rows as { held: number | null }[])[0]?.held === 1;
    } catch {
      await this.dropConnection();
      return false;
    }
  }

  async release(): Promise<void> {
    if (this.connection !== undefined) {
      await this.connection.query('SELECT RELEASE_LOCK(?)', [this.name]).catch(() => undefined);
    }
    await this.dropConnection();
  }

  private async connect(): Promise<Connection> {
    if (this.connection !== undefined) return this.connection;
    const url = new URL(this.config.MYSQL_URL);
    const connection = await createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      database: this.config.MYSQL_DATABASE,
      connectTimeout: 5_000,
    });
    connection.on('error', () => void this.dropConnection());
    this.connection = connection;
    return connection;
  }

  private async dropConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    connection?.destroy();
  }
}
