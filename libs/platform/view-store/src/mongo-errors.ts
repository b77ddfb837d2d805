import { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { DependencyUnavailableError, isSocketError } from '@cqrs/errors';

/** The one place a MongoDB driver error becomes a platform error; unknown errors pass through. */
export function translateMongoError(err: unknown): unknown {
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
