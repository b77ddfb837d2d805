import { MongoServerError, type Collection, type Db } from 'mongodb';
import { directoriesCollection, initialDirectory, type BucketDirectory } from './ordered-buckets';

const DUPLICATE_KEY = 11000;
/** Revision documents kept behind the newest, for readers whose copy lags. */
const KEPT_REVISIONS = 8;

/**
 * Where bucket directories are kept. Each revision is its own document, `<order>#<revision>`,
 * created with an insert: the unique id makes two writers racing for the same revision a
 * clean win and loss on any store (FerretDB v1 does not re-check an update's filter against a
 * concurrent write, so a compare-and-set by update is not safe there). The document `<order>`
 * is a copy of a recent revision, so a read is that copy plus a look for anything newer, both at
 * once; old revision documents are deleted as new ones come.
 */
export class BucketDirectories {
  private readonly collection: Collection<BucketDirectory>;
  private readonly known = new Map<string, BucketDirectory>();

  constructor(db: Db, viewsCollection: string) {
    this.collection = db.collection<BucketDirectory>(directoriesCollection(viewsCollection));
  }

  async read(order: { readonly name: string }): Promise<BucketDirectory> {
    const known = this.known.get(order.name);
    const [copy, next] = await Promise.all([this.collection.findOne({ _id: order.name }), known === undefined ? null : this.revision(order, known.revision + 1)]);
    let directory = [known, copy, next].reduce<BucketDirectory>((a, b) => (b !== null && b !== undefined && b.revision > a.revision ? b : a), initialDirectory(order));
    if (directory === known) return known;
    for (let newer = await this.revision(order, directory.revision + 1); newer !== null; newer = await this.revision(order, directory.revision + 1)) directory = newer;
    const current = { _id: order.name, revision: directory.revision, buckets: directory.buckets };
    this.known.set(order.name, current);
    return current;
  }

  /** Writes the revision after `directory` with these buckets; undefined when another writer took that revision. */
  async publish(directory: BucketDirectory, buckets: BucketDirectory['buckets']): Promise<BucketDirectory | undefined> {
    const next: BucketDirectory = { _id: directory._id, revision: directory.revision + 1, buckets };
    try {
      await this.collection.insertOne({ ...next, _id: `${directory._id}#${next.revision}` });
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return undefined;
      throw err;
    }
    // The copy may briefly lag behind or, with two writers, go back a revision: readers look past it.
    await this.collection.replaceOne({ _id: directory._id }, next, { upsert: true }).catch((err: unknown) => {
      if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
    });
    await this.collection.deleteOne({ _id: `${directory._id}#${next.revision - KEPT_REVISIONS}` });
    this.known.set(directory._id, next);
    return next;
  }

  private revision(order: { readonly name: string }, revision: number): Promise<BucketDirectory | null> {
    return this.collection.findOne({ _id: `${order.name}#${revision}` });
  }
}
