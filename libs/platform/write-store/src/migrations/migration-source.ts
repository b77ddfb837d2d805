import type { Knex } from 'knex';
import * as eventStore from './001-event-store';

const MIGRATIONS: Record<string, Knex.Migration> = {
  '001-event-store': eventStore,
};

/** Migrations compiled into the app (bundle-friendly), for knex's migrator and the knex CLI. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS[name];
    if (migration === undefined) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};

export async function migrateToLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
}
