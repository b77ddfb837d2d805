import { ConsistencyToken } from './generated/common/v1/command';

/** The opaque token a command acknowledgement carries: base64url of common.v1.ConsistencyToken. */
export function encodeConsistencyToken(token: ConsistencyToken): string {
  return Buffer.from(ConsistencyToken.encode(token).finish()).toString('base64url');
}

/** The token's content, or undefined when the string is not a token this platform made. */
export function decodeConsistencyToken(value: string): ConsistencyToken | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  try {
    const token = ConsistencyToken.decode(Buffer.from(value, 'base64url'));
    return token.streamId !== '' && token.version > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}
