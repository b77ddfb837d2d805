// Prints, for each query the query service sends, what FerretDB pushes down to its backend
// (filter, sort, limit), using `explain` against the running view database.
//   node tools/bench/ferretdb-explain.js [mongodb://127.0.0.1:27017] [cqrs_views]
const { MongoClient } = require('mongodb');

(async () => {
  const client = new MongoClient(process.argv[2] ?? 'mongodb://127.0.0.1:27017');
  const db = client.db(process.argv[3] ?? 'cqrs_views');
  const entry = await db.collection('view_catalog').findOne({ _id: 'catalog-products' });
  const productsName = entry?.collection ?? 'products';
  const products = db.collection(productsName);
  const postings = db.collection(entry?.derivedCollection ?? 'product_search_postings');
  const directories = db.collection(`${productsName}_buckets`);
  const show = async (label, cursor) => {
    const e = await cursor.explain();
    console.log(`${label.padEnd(46)} filter=${e.filterPushdown} sort=${e.sortPushdown} limit=${e.limitPushdown}`);
  };
  const any = (await products.findOne({ deleted: false })) ?? { _id: 'none', nameBucket: 'name.0', createdBucket: 'created.0' };
  await show('GetProduct (by _id)', products.find({ _id: any._id }).limit(1));
  await show('ListProducts: bucket directory (by _id)', directories.find({ _id: 'name' }));
  await show('ListProducts: one bucket (by name bucket)', products.find({ nameBucket: any.nameBucket }));
  await show('SearchProducts: sampled postings (by token)', postings.find({ sampleToken: 'ta' }, { projection: { _id: 1 } }));
  await show('SearchProducts: rare token postings (by token)', postings.find({ token: 'tatin' }));
  await show('SearchProducts: common token (by created bucket)', products.find({ createdBucket: any.createdBucket }));
  await client.close();
})();
