import type { Db } from 'mongodb';

export const VIEW_CATALOG_COLLECTION = 'view_catalog';

/** The collections a projection's views live in right now (a rebuild swaps them). */
export interface ActiveCollections {
  readonly collection: string;
}

interface CatalogEntry {
  readonly _id: string;
  readonly collection: string;
  readonly swappedAt: Date;
}

interface ProjectionNames {
  readonly name: string;
  readonly collection: string;
}

/**
 * Which collections hold each projection's views: one small document per projection, so a
 * rebuilt set of collections is swapped in with one write, without renaming or dropping anything
 * that readers may be using. Lookups are cached for `cacheMs`.
 */
export class ViewCatalog {
  private readonly cache = new Map<string, { value: ActiveCollections; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly cacheMs = 1_000,
  ) {}

  /** `fresh` skips the cache: a writer uses it to learn whether a swap happened under it. */
  async active(projection: ProjectionNames, { fresh = false } = {}): Promise<ActiveCollections> {
    const cached = this.cache.get(projection.name);
    if (!fresh && cached !== undefined && cached.until > Date.now()) return cached.value;
    const entry = await this.db.collection<CatalogEntry>(VIEW_CATALOG_COLLECTION).findOne({ _id: projection.name });
    const value: ActiveCollections = { collection: entry?.collection ?? projection.collection };
    this.cache.set(projection.name, { value, until: Date.now() + this.cacheMs });
    return value;
  }

  async swap(projection: ProjectionNames, next: ActiveCollections, now: Date): Promise<void> {
    const entry: CatalogEntry = {
      _id: projection.name,
      collection: next.collection,
      swappedAt: now,
    };
    await this.db.collection<CatalogEntry>(VIEW_CATALOG_COLLECTION).replaceOne({ _id: projection.name }, entry, { upsert: true });
    this.cache.delete(projection.name);
  }
}
