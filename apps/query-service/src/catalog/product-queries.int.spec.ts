import { MongoClient, type Db } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import { productsProjection, queryTokens, type ProductViewDocument } from '@cqrs/catalog-read-model';
import type { ViewStore } from '@cqrs/projection';
import { ProjectionApplier, ViewCatalog } from '@cqrs/projections';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { productCreatedEvent } from '@cqrs/catalog-read-model/testing';
import { mongoViewStore } from '@cqrs/view-store';
import { ferretDbV1ViewStore, WRITE_CHUNK_SIZE } from '@cqrs/view-store-ferretdb';
import { ProductQueries, type Page } from './product-queries';

jest.setTimeout(180_000);

const isolated = isolatedEnvironment();
let client: MongoClient;

const COUNT = 600;

/** Some in USD, some out of stock, created a second apart (creation order is the series order). */
const created = (i: number) =>
  productCreatedEvent(
    i,
    { price: { currencyCode: i % 5 === 0 ? 'USD' : 'EUR', amountMinor: 100 + ((i * 37) % 500) }, initialStock: i % 4 },
    new Date(Date.UTC(2026, 0, 1) + i * 1_000),
  );

/** Each engine, with the variants of it a test needs: its ways to search, and a store that gives up early on a sparse filter. */
const ENGINES = [
  {
    engine: 'mongodb',
    store: (db: Db): ViewStore => mongoViewStore(db, { maxWritesPerCommand: WRITE_CHUNK_SIZE }),
    searchStores: (db: Db) => [mongoViewStore(db, { maxWritesPerCommand: WRITE_CHUNK_SIZE })],
    sparse: (db: Db) => mongoViewStore(db, { maxReadPerCall: 20, maxWritesPerCommand: WRITE_CHUNK_SIZE }),
  },
  {
    engine: 'ferretdb-v1',
    store: (db: Db): ViewStore => ferretDbV1ViewStore(db),
    // Through the postings, and by scanning the creation order.
    searchStores: (db: Db) => [
      ferretDbV1ViewStore(db, { searchScanFromPostings: 1_000_000_000 }),
      ferretDbV1ViewStore(db, { searchScanFromPostings: 0 }),
    ],
    sparse: (db: Db) => ferretDbV1ViewStore(db, { maxBucketsPerCall: 1 }),
  },
];

beforeAll(() => {
  client = new MongoClient(LOCAL_URLS.MONGODB_URL);
});

afterAll(async () => {
  await client.close();
  await isolated.cleanup();
});

async function all(next: (pageToken: string) => Promise<Page>): Promise<ProductViewDocument[]> {
  const seen: ProductViewDocument[] = [];
  let token = '';
  do {
    const page = await next(token);
    seen.push(...page.products);
    token = page.nextPageToken;
  } while (token !== '');
  return seen;
}

const byId = (a: ProductViewDocument, b: ProductViewDocument) => (a._id < b._id ? -1 : 1);

describe.each(ENGINES)('ProductQueries, $engine engine on FerretDB, with the views the projection writes', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = client.db(`${isolated.runId}_${engine.engine.replace(/\W/g, '')}`);
    const applier = new ProjectionApplier(db, engine.store(db), productsProjection);
    await applier.ensureIndexes();
    for (let start = 0; start < COUNT; start += 100) await applier.applyBatch(Array.from({ length: 100 }, (_, k) => created(start + k)));
  });
  afterAll(() => db.dropDatabase());
  const views = () => db.collection<ProductViewDocument>(productsProjection.collection).find().toArray();
  const queries = () => new ProductQueries(engine.store(db), new ViewCatalog(db));

  it('lists every product once in each order, with the filters applied', async () => {
    const every = await views();
    const byName = await all((pageToken) => queries().list(catalogV1.ListProductsRequest.fromPartial({ pageToken }), 30));
    expect(byName.map((v) => v._id)).toEqual(
      [...every].sort((a, b) => (a.nameKey === b.nameKey ? byId(a, b) : a.nameKey < b.nameKey ? -1 : 1)).map((v) => v._id),
    );

    const request = {
      orderBy: catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_PRICE,
      descending: true,
      filter: {
        minPrice: { currencyCode: 'EUR', amountMinor: 200 },
        maxPrice: { currencyCode: 'EUR', amountMinor: 400 },
        inStockOnly: true,
      },
    };
    const cheapInStock = await all((pageToken) => queries().list(catalogV1.ListProductsRequest.fromPartial({ ...request, pageToken }), 17));
    const expected = every
      .filter((v) => v.inStock && v.price.currencyCode === 'EUR' && v.price.amountMinor >= 200 && v.price.amountMinor <= 400)
      .sort((a, b) => b.price.amountMinor - a.price.amountMinor || byId(b, a));
    expect(cheapInStock.map((v) => v._id)).toEqual(expected.map((v) => v._id));
    expect(expected.length).toBeGreaterThan(50);

    const byCreation = await all((pageToken) =>
      queries().list(
        catalogV1.ListProductsRequest.fromPartial({ orderBy: catalogV1.ProductOrderBy.PRODUCT_ORDER_BY_CREATED_AT, pageToken }),
        100,
      ),
    );
    expect(byCreation.map((v) => v.sku)).toEqual(Array.from({ length: COUNT }, (_, i) => `S-${i}`));
  });

  it.each(['esp', 'tat mad', 'crème financier 12', 'for', 'zzz'])(
    'searches "%s" (every way the engine has), in creation order',
    async (query) => {
      const tokens = queryTokens(query);
      const expected = (await views())
        .filter((v) => tokens.every((t) => v.tokens.includes(t)))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byId(a, b));
      for (const store of engine.searchStores(db)) {
        const queries = new ProductQueries(store, new ViewCatalog(db));
        expect((await all((token) => queries.search(tokens, token, 20))).map((v) => v._id)).toEqual(expected.map((v) => v._id));
      }
    },
  );

  it('answers a short page with a token to go on when a filter matches too little to fill it within its read budget', async () => {
    const sparse = new ProductQueries(engine.sparse(db), new ViewCatalog(db));
    const request = { filter: { minPrice: { currencyCode: 'USD', amountMinor: 590 } } };
    const pages: Page[] = [];
    await all(async (pageToken) => {
      const page = await sparse.list(catalogV1.ListProductsRequest.fromPartial({ ...request, pageToken }), 20);
      pages.push(page);
      return page;
    });
    const expected = (await views()).filter((v) => v.price.currencyCode === 'USD' && v.price.amountMinor >= 590);
    expect(
      pages
        .flatMap((p) => p.products)
        .map((v) => v._id)
        .sort(),
    ).toEqual(expected.map((v) => v._id).sort());
    expect(pages.some((p) => p.products.length < 20 && p.nextPageToken !== '')).toBe(true);
  });
});
