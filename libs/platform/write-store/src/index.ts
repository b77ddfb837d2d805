export { CommandExecutor } from './command-executor';
export type {
  AggregateType,
  CommandExecutorOptions,
  CommandRequest,
  EncodedEvent,
  EventCodec,
  LoadableAggregate,
  SnapshotPolicy,
  StreamLoader,
  StreamWrite,
} from './command-executor';
export { EventStore, IdempotencyRaceError } from './event-store';
export type {
  AppendRequest,
  AppendResult,
  EventMetadata,
  IdempotencyKey,
  IdempotencyRecord,
  NewEvent,
  StoredEvent,
  UniqueClaim,
} from './event-store.types';
export { MysqlLeaderLock } from './leader-lock';
export { migrateToLatest, migrationSource } from './migrations/migration-source';
export { createMysql, createMysqlConfig, ensureDatabase, mysqlProbe, translateMysqlError } from './mysql-connection';
export type { MysqlConfig } from './mysql-connection';
export { OutboxRelay, toEnvelope, wavesOf } from './outbox-relay';
export type { EventPublisher, OutboxRelayOptions } from './outbox-relay';
export { OutboxStore } from './outbox-store';
export { SnapshotStore } from './snapshot-store';
export type { Snapshot } from './snapshot-store';
export { streamIdOf } from './stream-id';
