import { ConsistencyToken } from './generated/common/v1/command';

/** What a consistency token says: the write of one aggregate's stream up to a version. */
export interface ConsistencyTokenParts {
  readonly streamType: string;
  readonly aggregateId: string;
  readonly version: number;
  /** Global position of the write in the event store. */
  readonly position: number;
}

/**
 * Tokens made before stream_type and aggregate_id existed name their stream by stream_id alone;
 * aggregate ids are UUIDs, so the id is the UUID at its end.
 */
const LEGACY_STREAM_ID = /^(.+)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The opaque token a command acknowledgement carries: base64url of common.v1.ConsistencyToken.
 * It also carries the stream id, so query services that predate the typed parts read it.
 */
export function encodeConsistencyToken(parts: ConsistencyTokenParts & { readonly streamId: string }): string {
  const { streamId, streamType, aggregateId, version, position } = parts;
  return Buffer.from(ConsistencyToken.encode({ streamId, streamType, aggregateId, version, position }).finish()).toString('base64url');
}

/** The token's parts (from older tokens too), or undefined when the string is not a token this platform made. */
export function decodeConsistencyToken(value: string): ConsistencyTokenParts | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  let token: ConsistencyToken;
  try {
    token = ConsistencyToken.decode(Buffer.from(value, 'base64url'));
  } catch {
    return undefined;
  }
  if (token.version <= 0) return undefined;
  const { version, position } = token;
  if (token.streamType !== '' && token.aggregateId !== '')
    return { streamType: token.streamType, aggregateId: token.aggregateId, version, position };
  const legacy = LEGACY_STREAM_ID.exec(token.streamId);
  if (legacy === null) return undefined;
  return { streamType: legacy[1] ?? '', aggregateId: legacy[2] ?? '', version, position };
}
