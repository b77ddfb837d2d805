import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { DependencyUnavailableError, isSocketError } from '@cqrs/errors';

/** MongoDB's (and FerretDB's) code for a write a unique index refused. */
const DUPLICATE_KEY = 11000;

/** A unique index already holds the key (E11000); the caller knows what that means (a lost race, a replay). */
export class DuplicateKeyError extends Error {
  constructor(options: { cause?: unknown } = {}) {
    super('a unique index already holds this key', options);
    this.name = 'DuplicateKeyError';
  }
}

/** True for one write error of a bulk write that a unique index refused (a bulk write's errors are per document). */
export function isDuplicateKeyWrite(writeError: { readonly code?: unknown }): boolean {
  return writeError.code === DUPLICATE_KEY;
}

/**
 * The one place a MongoDB driver error becomes a platform error (or, for a duplicate key, this lib's
 * DuplicateKeyError); unknown errors pass through. A bulk write's error passes through too: some of
 * its documents may be duplicates and others not (see isDuplicateKeyWrite).
 */
export function translateMongoError(err: unknown): unknown {
  if (err instanceof MongoServerError && !(err instanceof MongoBulkWriteError) && err.code === DUPLICATE_KEY) {
    return new DuplicateKeyError({ cause: err });
  }
  const unreachable =
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    isSocketError(err);
  return unreachable ? new DependencyUnavailableError('mongodb', { cause: err }) : err;
}

/** Runs a view-store operation, translating its errors. */
export async function viewStoreCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw translateMongoError(err);
  }
}
