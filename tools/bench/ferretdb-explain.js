// Prints, for each query the query service sends, what FerretDB pushes down to its backend
// (filter, sort, limit), using `explain` against the running view database.
//   node tools/bench/ferretdb-explain.js [mongodb://127.0.0.1:27017] [cqrs_views]
const { MongoClient } = require('mongodb');

(async () => {
  const client = new MongoClient(process.argv[2] ?? 'mongodb://127.0.0.1:27017');
  const db = client.db(process.argv[3] ?? 'cqrs_views');
  const entry = await db.collection('view_catalog').findOne({ _id: 'catalog-products' });
  const products = db.collection(entry?.collection ?? 'products');
  const postings = db.collection(entry?.derivedCollection ?? 'product_search_postings');
  const show = async (label, cursor) => {
    const e = await cursor.explain();
    console.log(`${label.padEnd(40)} filter=${e.filterPushdown} sort=${e.sortPushdown} limit=${e.limitPushdown}`);
  };
  const any = (await products.findOne({})) ?? { _id: 'none' };
  await show('GetProduct (by _id)', products.find({ _id: any._id }).limit(1));
  await show('ListProducts first page (by name)', products.find({ deleted: false }).sort({ nameKey: 1, _id: 1 }).limit(21));
  await show('ListProducts next page (keyset)', products.find({ deleted: false, $or: [{ nameKey: { $gt: 'm' } }, { nameKey: 'm', _id: { $gt: 'x' } }] }).sort({ nameKey: 1, _id: 1 }).limit(21));
  await show('ListProducts in stock, EUR price range', products.find({ deleted: false, inStock: true, 'price.currencyCode': 'EUR', 'price.amountMinor': { $gte: 100, $lte: 900 } }).sort({ 'price.amountMinor': 1, _id: 1 }).limit(21));
  await show('SearchProducts (postings by token)', postings.find({ token: 'ta' }).sort({ nameKey: 1, productId: 1 }).limit(40));
  await client.close();
})();
