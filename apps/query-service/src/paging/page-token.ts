import { createHash } from 'node:crypto';
import { ValidationError } from '@cqrs/errors';

/** Where the previous page ended, and for which query (a token is only valid for the same query). */
export interface PageCursor {
  readonly query: string;
  readonly key: string | number;
  readonly id: string;
  /** The page starts at this key rather than after it (a read that stopped at its budget, where it would have gone on). */
  readonly inclusive?: boolean;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PAGE_SIZE) {
    throw new ValidationError([{ field: 'page_size', description: `must be from 1 to ${MAX_PAGE_SIZE} (0 means ${DEFAULT_PAGE_SIZE})` }]);
  }
  return requested;
}

/** A short fingerprint of everything that shapes the result order and filter. */
export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodePageToken(cursor: PageCursor): string {
  const parts = [cursor.query, cursor.key, cursor.id, ...(cursor.inclusive === true ? [1] : [])];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The cursor in a page token; INVALID_ARGUMENT when it is malformed or from another query. */
export function decodePageToken(token: string, query: string): PageCursor | undefined {
  if (token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    ![3, 4].includes(parsed.length) ||
    typeof parsed[2] !== 'string' ||
    !['string', 'number'].includes(typeof parsed[1]) ||
    ![undefined, 1].includes(parsed[3])
  ) {
    throw new ValidationError([{ field: 'page_token', description: 'is not a page token from this service' }]);
  }
  if (parsed[0] !== query)
    throw new ValidationError([
      { field: 'page_token', description: 'belongs to a different query (order, filter or search words changed)' },
    ]);
  return { query, key: parsed[1] as string | number, id: parsed[2], inclusive: parsed[3] === 1 };
}
