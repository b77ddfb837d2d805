import { MongoClient } from 'mongodb';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { chunkedBulkWrite, insertOrReplace } from './chunked-bulk-write';

const isolated = isolatedEnvironment();
const client = new MongoClient(LOCAL_URLS.MONGODB_URL);
const collection = () => client.db(isolated.runId).collection<{ _id: string; n: number }>('docs');

afterAll(async () => {
  await client.close();
  await isolated.cleanup();
});

describe('chunked writes on FerretDB', () => {
  it('inserts new documents and replaces those that already exist (a rewrite after a crash)', async () => {
    await collection().insertMany([
      { _id: 'a', n: 0 },
      { _id: 'c', n: 0 },
    ]);
    const documents = Array.from({ length: 1_200 }, (_, i) => ({ _id: i < 3 ? ('abc'[i] ?? '') : `d${i}`, n: 1 }));
    await insertOrReplace(collection(), documents);
    expect(await collection().countDocuments()).toBe(1_200);
    expect(await collection().countDocuments({ n: 1 })).toBe(1_200);
  });

  it('counts every statement of every chunk, and reports write errors without stopping', async () => {
    const operations = Array.from({ length: 40 }, (_, i) => ({ insertOne: { document: { _id: `w${i % 35}`, n: i } } }));
    const result = await chunkedBulkWrite(collection(), operations, 16);
    expect(result).toEqual({ insertedCount: 35, matchedCount: 0, upsertedCount: 0, writeErrors: true });
  });
});
