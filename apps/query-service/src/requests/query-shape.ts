import { ValidationError } from '@cqrs/errors';
import { shapeViolations, type RequestShapeLimits } from '@cqrs/grpc-kit';

/** Longest search text, in characters, and most words in it. */
export const SEARCH_MAX_CHARS = 256;
export const SEARCH_MAX_WORDS = 8;

/**
 * Bounds on any query request, checked before anything else: ids, page and consistency tokens
 * are short (a few dozen characters), so a kilobyte is far more than any valid one.
 */
export const QUERY_SHAPE: RequestShapeLimits = { maxTextChars: 1_024, maxItems: 0, textChars: { query: SEARCH_MAX_CHARS } };

/** Refuses a request outside QUERY_SHAPE at once, without looking further. */
export function checkShape(request: object): void {
  const violations = shapeViolations(request, QUERY_SHAPE);
  if (violations.length > 0) throw new ValidationError(violations);
}

/** A search's words: at most SEARCH_MAX_WORDS distinct ones, each of minLength or more. */
export function checkSearchWords(tokens: readonly string[], minLength: number): void {
  if (tokens.length === 0 || tokens.some((t) => t.length < minLength)) {
    throw new ValidationError([
      { field: 'query', description: `must have at least one word, each of ${minLength} or more letters or digits` },
    ]);
  }
  if (tokens.length > SEARCH_MAX_WORDS) {
    throw new ValidationError([
      { field: 'query', description: `must have at most ${SEARCH_MAX_WORDS} different words (got ${tokens.length})` },
    ]);
  }
}
