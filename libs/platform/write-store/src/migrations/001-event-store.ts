import type { Knex } from 'knex';

/**
 * The write model: an append-only event log with a global position, the transactional outbox,
 * idempotency records, unique claims (e.g. SKUs) and snapshots. Nothing here knows an aggregate.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('position').primary();
    t.uuid('event_id').notNullable().unique('uq_events_event_id');
    t.string('stream_id', 200).notNullable();
    t.string('stream_type', 100).notNullable();
    t.integer('version').unsigned().notNullable();
    t.string('event_type', 200).notNullable();
    t.smallint('schema_version').unsigned().notNullable();
    t.specificType('payload', 'LONGBLOB').notNullable().comment('binary Protobuf of the message named by event_type');
    t.json('metadata').notNullable();
    t.specificType('occurred_at', 'DATETIME(6)').notNullable();
    t.unique(['stream_id', 'version'], { indexName: 'uq_stream_version' });
    t.index(['stream_type', 'position'], 'ix_events_stream_type');
  });
  await knex.schema.createTable('event_outbox', (t) => {
    t.bigInteger('position').unsigned().primary().comment('events.position not yet acknowledged by JetStream');
  });
  await knex.schema.createTable('idempotency_records', (t) => {
    t.string('request_id', 128).primary();
    t.string('method', 200).notNullable();
    t.specificType('request_hash', 'CHAR(64)').notNullable();
    t.string('stream_id', 200).notNullable();
    t.string('aggregate_id', 100).notNullable();
    t.integer('version').unsigned().notNullable();
    t.bigInteger('position').unsigned().notNullable();
    t.specificType('created_at', 'DATETIME(6)').notNullable();
  });
  await knex.schema.createTable('unique_claims', (t) => {
    t.string('scope', 100).notNullable();
    t.string('value', 255).notNullable();
    t.string('stream_id', 200).notNullable();
    t.primary(['scope', 'value']);
  });
  await knex.schema.createTable('snapshots', (t) => {
    t.string('stream_id', 200).primary();
    t.integer('version').unsigned().notNullable();
    t.smallint('schema_version').unsigned().notNullable();
    t.json('state').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['snapshots', 'unique_claims', 'idempotency_records', 'event_outbox', 'events']) {
    await knex.schema.dropTableIfExists(table);
  }
}
