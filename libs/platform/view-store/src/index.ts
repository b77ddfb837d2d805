export { createViewDatabase, mongoProbe } from './mongo-connection';
export type { MongoConfig, ViewDatabase } from './mongo-connection';
export { DuplicateKeyError, isDuplicateKeyWrite, translateMongoError, viewStoreCall } from './mongo-errors';
export { mongoViewStore } from './mongodb-view-store';
export type { MongoViewStoreOptions } from './mongodb-view-store';
