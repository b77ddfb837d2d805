export { bucketed, ferretDbV1ViewStore } from './ferretdb-view-store';
export type { FerretDbViewStoreOptions } from './ferretdb-view-store';
export { detectEngine, mongodbEngineFor, selectViewStore, VIEW_STORE_ENGINES, viewStoreEnv } from './select-view-store';
export type { SelectViewStoreOptions, ViewStoreEngineChoice } from './select-view-store';
export { MAX_BUCKET_SIZE } from './bucket-maintainer';
export { WRITE_CHUNK_SIZE } from './chunked-bulk-write';
export { directoriesCollection } from './ordered-buckets';
export { postingsCollection } from './search-postings';
