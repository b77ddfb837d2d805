export * as catalogV1 from './catalog-v1';
export * as commonV1 from './common-v1';
export * as ordersV1 from './orders-v1';
export * as googleRpc from './google-rpc';
export * as healthV1 from './generated/health/v1/health';
export { contractRegistry } from './contract-registry';
export { contractFileDescriptors } from './file-descriptors';
export { decodeConsistencyToken, encodeConsistencyToken } from './consistency-token';
export type { ConsistencyTokenParts } from './consistency-token';
export {
  allViewChangedSubjects,
  eventStreamName,
  eventStreamNamePrefix,
  eventSubject,
  eventSubjectsOf,
  republishSubject,
  viewChangedSubject,
} from './subjects';
export { decodeClamped } from './decode-clamped';
export type { MessageDecoder } from './decode-clamped';
