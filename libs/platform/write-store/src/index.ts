export { createMysql, ensureDatabase, mysqlProbe, translateMysqlError } from './mysql-connection';
export type { MysqlConfig } from './mysql-connection';
