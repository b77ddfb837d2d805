import { MongoServerError, type Collection, type Db } from 'mongodb';
import { directoriesCollection, initialDirectory, type BucketDirectory } from './ordered-buckets';

const DUPLICATE_KEY = 11000;
/** Revision documents kept behind the newest, for readers whose copy lags. */
const KEPT_REVISIONS = 8;

/**
 * Where bucket directories are kept. Each revision is its own document, `<order>#<revision>`,
 * created with an insert: the unique id makes two writers racing for the same revision a
 * clean win and loss on any store (FerretDB v1 does not re-check an update's filter against a
 * concurrent write, so a compare-and-set by update is not safe there). The document `<order>` is
 * a small head naming a recent revision, so a read that already knows the latest revision costs two
 * small lookups (the head, and a look for the next revision) instead of fetching a directory that
 * holds a line per bucket; old revision documents are deleted as new ones come.
 */
export class BucketDirectories {
  private readonly collection: Collection<BucketDirectory>;
  private readonly known = new Map<string, BucketDirectory>();

  constructor(db: Db, viewsCollection: string) {
    this.collection = db.collection<BucketDirectory>(directoriesCollection(viewsCollection));
  }

  async read(order: { readonly name: string }): Promise<BucketDirectory> {
    for (;;) {
      const known = this.known.get(order.name);
      const [head, next] = await Promise.all([
        this.collection.findOne({ _id: order.name }, { projection: { revision: 1 } }),
        known === undefined ? null : this.revision(order, known.revision + 1),
      ]);
      const latest = Math.max(known?.revision ?? 0, head?.revision ?? 0);
      let directory: BucketDirectory | null =
        next ??
        (known !== undefined && latest === known.revision
          ? known
          : latest === 0
            ? initialDirectory(order)
            : await this.revision(order, latest));
      // Only when more than KEPT_REVISIONS were published since the head was read: read again.
      if (directory === null) continue;
      if (directory === known) return known;
      for (
        let newer = await this.revision(order, directory.revision + 1);
        newer !== null;
        newer = await this.revision(order, directory.revision + 1)
      )
        directory = newer;
      const current = { _id: order.name, revision: directory.revision, buckets: directory.buckets };
      this.known.set(order.name, current);
      return current;
    }
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
    // The head may briefly lag behind or, with two writers, go back a revision: readers look past it.
    await this.collection
      .replaceOne({ _id: directory._id }, { revision: next.revision, buckets: [] }, { upsert: true })
      .catch((err: unknown) => {
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
