/**
 * For the knex CLI: `npm run migrate -- migrate:latest`, `migrate:down`, `migrate:rollback`,
 * `migrate:status`, against MYSQL_URL / MYSQL_DATABASE (the same variables the apps read).
 */
import { loadConfig, mysqlEnv } from '@cqrs/config';
import { createMysqlConfig } from './src/mysql-connection';
import { migrationSource } from './src/migrations/migration-source';

const config = loadConfig(mysqlEnv);

module.exports = { ...createMysqlConfig(config), migrations: { migrationSource, tableName: 'knex_migrations' } };
