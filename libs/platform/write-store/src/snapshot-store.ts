import type { Knex } from 'knex';
import { translateMysqlError } from './mysql-connection';

export interface Snapshot {
  readonly version: number;
  readonly schemaVersion: number;
  readonly state: unknown;
}

/** One snapshot per stream: an aggregate's state at a version, so long streams load fast. */
export class SnapshotStore {
  constructor(private readonly db: Knex) {}

  async load(streamId: string): Promise<Snapshot | undefined> {
    try {
      const row: { version: number; schema_version: number; state: string | object } | undefined = await this.db('snapshots')
        .where('stream_id', streamId)
        .first();
      if (row === undefined) return undefined;
      return {
        version: Number(row.version),
        schemaVersion: Number(row.schema_version),
        state: typeof row.state === 'string' ? JSON.parse(row.state) : row.state,
      };
    } catch (err) {
      throw translateMysqlError(err);
    }
  }

  /** Keeps the newer of the stored and the given snapshot. */
  async save(streamId: string, snapshot: Snapshot): Promise<void> {
    const row = {
      stream_id: streamId,
      version: snapshot.version,
      schema_version: snapshot.schemaVersion,
      state: JSON.stringify(snapshot.state),
    };
    await this.db.raw(
      `INSERT INTO snapshots (stream_id, version, schema_version, state) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE
         schema_version = IF(VALUES(version) > version, VALUES(schema_version), schema_version),
         state = IF(VALUES(version) > version, VALUES(state), state),
         version = GREATEST(version, VALUES(version))`,
      [row.stream_id, row.version, row.schema_version, row.state],
    );
  }
}
