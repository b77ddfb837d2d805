import type { Db } from 'mongodb';
import { enumVar, intVar } from '@cqrs/config';
import type {
  ListRequest,
  SearchRequest,
  ViewCollection,
  ViewDocument,
  ViewSpec,
  ViewStore,
  ViewWrite,
  WriteGuard,
} from '@cqrs/projection';
import { WRITE_CHUNK_SIZE } from './chunked-bulk-write';
import { ferretDbV1ViewStore, type FerretDbViewStoreOptions } from './ferretdb-view-store';

export const VIEW_STORE_ENGINES = ['auto', 'mongodb', 'ferretdb-v1'] as const;
export type ViewStoreEngineChoice = (typeof VIEW_STORE_ENGINES)[number];

export const viewStoreEnv = {
  /** The view store's engine; `auto` asks the server (buildInfo names FerretDB) on first use. */
  VIEW_STORE_ENGINE: enumVar(VIEW_STORE_ENGINES, 'auto'),
  /** On ferretdb-v1: a search whose rarest word has about this many postings or more scans the search's order instead. */
  QUERY_SEARCH_SCAN_FROM_POSTINGS: intVar(2_048, 0, 1_000_000_000),
};

/** FerretDB answers buildInfo like MongoDB 7, plus fields of its own. */
export async function detectEngine(db: Db): Promise<'mongodb' | 'ferretdb-v1'> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info || 'ferretdbFeatures' in info ? 'ferretdb-v1' : 'mongodb';
}

export interface SelectViewStoreOptions {
  readonly engine?: ViewStoreEngineChoice;
  /** The plain MongoDB engine (in @cqrs/view-store). */
  readonly mongodb: (db: Db, options: { readonly maxWritesPerCommand?: number }) => ViewStore;
  readonly ferretdb?: FerretDbViewStoreOptions;
}

/** The mongodb engine for a server: on FerretDB v1 its writes go in small commands, as more updates in one than FerretDB's pool has connections never end. */
export function mongodbEngineFor(server: 'mongodb' | 'ferretdb-v1', db: Db, options: SelectViewStoreOptions): ViewStore {
  return options.mongodb(db, server === 'ferretdb-v1' ? { maxWritesPerCommand: WRITE_CHUNK_SIZE } : {});
}

/**
 * The view store for a deployment: the engine named, or (auto) the one the server calls for. The
 * server is asked on first use, so an app starts while the view store is down; a failed question
 * is asked again.
 */
export function selectViewStore(db: Db, options: SelectViewStoreOptions): ViewStore {
  const choice = options.engine ?? 'auto';
  if (choice === 'ferretdb-v1') return ferretDbV1ViewStore(db, options.ferretdb);
  const make = (server: 'mongodb' | 'ferretdb-v1') =>
    choice === 'auto' && server === 'ferretdb-v1' ? ferretDbV1ViewStore(db, options.ferretdb) : mongodbEngineFor(server, db, options);
  let selected: Promise<ViewStore> | undefined;
  const store = () => {
    selected ??= detectEngine(db).then(make, (err: unknown) => {
      selected = undefined;
      throw err;
    });
    return selected;
  };
  return {
    get engine() {
      return choice;
    },
    collection: <View extends ViewDocument>(spec: ViewSpec<View>, name?: string) => lazyCollection(spec, name, store),
  };
}

function lazyCollection<View extends ViewDocument>(
  spec: ViewSpec<View>,
  name: string | undefined,
  store: () => Promise<ViewStore>,
): ViewCollection<View> {
  let collection: ViewCollection<View> | undefined;
  const resolved = async () => (collection ??= (await store()).collection(spec, name));
  return {
    name: name ?? spec.collection,
    ensureIndexes: async () => (await resolved()).ensureIndexes(),
    get: async (id: string) => (await resolved()).get(id),
    count: async () => (await resolved()).count(),
    write: async (writes: readonly ViewWrite<View>[], guard: WriteGuard) => (await resolved()).write(writes, guard),
    exclusive: async <T>(work: () => Promise<T>) => (await resolved()).exclusive(work),
    list: async (request: ListRequest<View>) => (await resolved()).list(request),
    search: async (request: SearchRequest) => (await resolved()).search(request),
  };
}
