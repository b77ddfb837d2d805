import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document, type Filter } from 'mongodb';

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

/** Inserts per command: an insert holds no connection while the command runs, so these can be large. */
export const INSERT_CHUNK_SIZE = 500;
const DUPLICATE_KEY = 11000;

/**
 * Writes documents expected to be new with plain inserts (far cheaper than upserts on FerretDB,
 * where an upsert is a query plus a write); any that already exist, e.g. written before a crash,
 * are replaced instead.
 */
export async function insertOrReplace<T extends Document & { _id: string }>(
  collection: Collection<T>,
  documents: readonly T[],
): Promise<void> {
  const existing: T[] = [];
  for (let start = 0; start < documents.length; start += INSERT_CHUNK_SIZE) {
    const chunk = documents.slice(start, start + INSERT_CHUNK_SIZE);
    try {
      await collection.insertMany(chunk as never, { ordered: false });
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      const other = errors.find((e) => e.code !== DUPLICATE_KEY);
      if (other !== undefined) throw err;
      for (const e of errors) {
        const document = chunk[e.index];
        if (document !== undefined) existing.push(document);
      }
    }
  }
  if (existing.length === 0) return;
  const result = await chunkedBulkWrite(
    collection,
    existing.map((document): AnyBulkWriteOperation<T> => ({
      replaceOne: { filter: { _id: document._id } as Filter<T>, replacement: document, upsert: true },
    })),
  );
  if (result.writeErrors) throw new Error(`documents of ${collection.collectionName} could not all be written`);
}
