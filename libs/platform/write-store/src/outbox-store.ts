import type { Knex } from 'knex';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './event-store';
import type { StoredEvent } from './event-store.types';
import { translateMysqlError } from './mysql-connection';

/** The outbox: events committed but not yet acknowledged by the broker, oldest first. */
export class OutboxStore {
  constructor(private readonly db: Knex) {}

  async pending(limit: number): Promise<StoredEvent[]> {
    try {
      const rows: EventRow[] = await this.db('event_outbox as o')
        .join('events as e', 'e.position', 'o.position')
        .select(EVENT_COLUMNS.map((c) => `e.${c}`))
        .orderBy('o.position')
        .limit(limit);
      return rows.map(toStoredEvent);
    } catch (err) {
      throw translateMysqlError(err);
    }
  }

  async markPublished(positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    try {
      await this.db('event_outbox').whereIn('position', positions).delete();
    } catch (err) {
      throw translateMysqlError(err);
    }
  }

  async count(): Promise<number> {
    const row: { n?: number | string } | undefined = await this.db('event_outbox').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
