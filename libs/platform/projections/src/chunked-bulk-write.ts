import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document } from 'mongodb';

/**
 * Statements per write command. FerretDB v1 (PostgreSQL) keeps, for each update statement that
 * matches a document, a PostgreSQL connection open until the whole command ends; a command with
 * more such statements than its pool has connections waits for itself forever, and FerretDB stops
 * answering. Small commands keep a writer well inside the pool; MongoDB is indifferent.
 */
export const WRITE_CHUNK_SIZE = 16;

export interface ChunkedWriteResult {
  readonly insertedCount: number;
  readonly matchedCount: number;
  readonly upsertedCount: number;
  /** A chunk answered with write errors (its other statements were still applied). */
  readonly writeErrors: boolean;
}

/** An unordered bulk write sent as commands of at most `chunkSize` statements, one after another. */
export async function chunkedBulkWrite<T extends Document>(
  collection: Collection<T>,
  operations: readonly AnyBulkWriteOperation<T>[],
  chunkSize = WRITE_CHUNK_SIZE,
): Promise<ChunkedWriteResult> {
  let insertedCount = 0;
  let matchedCount = 0;
  let upsertedCount = 0;
  let writeErrors = false;
  for (let start = 0; start < operations.length; start += chunkSize) {
    try {
      const result = await collection.bulkWrite(operations.slice(start, start + chunkSize), { ordered: false });
      insertedCount += result.insertedCount;
      matchedCount += result.matchedCount;
      upsertedCount += result.upsertedCount;
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      writeErrors = true;
      insertedCount += err.result.insertedCount;
      matchedCount += err.result.matchedCount;
      upsertedCount += err.result.upsertedCount;
    }
  }
  return { insertedCount, matchedCount, upsertedCount, writeErrors };
}
