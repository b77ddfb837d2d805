export { compareKeys, isBeyond } from './keyset';
export type { OrderKey, OrderPosition } from './keyset';
export { orderOf, recordApplied, sourceKey, sourcesOf, versionIn } from './projection';
export type { IndexSpec, ListOrder, ProjectedEvent, Projection, SearchSpec, ViewDocument, ViewSpec } from './projection';
export type { ListRequest, ListResult, SearchRequest, ViewCollection, ViewStore, ViewWrite, WriteGuard } from './view-store';
