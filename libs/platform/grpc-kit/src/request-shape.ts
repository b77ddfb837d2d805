import type { FieldViolation } from '@cqrs/errors';

export interface RequestShapeLimits {
  /** Longest text field, in characters. */
  readonly maxTextChars: number;
  /** Most elements in any repeated field. */
  readonly maxItems: number;
  /** Per-field overrides, by proto path without indexes (`query`, `lines.product_id`). */
  readonly textChars?: Readonly<Record<string, number>>;
  readonly items?: Readonly<Record<string, number>>;
}

/** Stops the walk: a request refused for its shape needs only a few of its reasons. */
const MAX_SHAPE_VIOLATIONS = 8;

/**
 * The cheap first check of a decoded request, before anything reads, stores or echoes it: every
 * text field and every repeated field of the message is within bounds. Violations name proto
 * paths (`update_mask.paths`, `lines[3].product_id`); a repeated field over its bound is not
 * looked into.
 */
export function shapeViolations(request: object, limits: RequestShapeLimits): FieldViolation[] {
  const violations: FieldViolation[] = [];
  walk(request, '', '', limits, violations, 0);
  return violations;
}

function walk(value: unknown, path: string, pattern: string, limits: RequestShapeLimits, out: FieldViolation[], depth: number): void {
  if (out.length >= MAX_SHAPE_VIOLATIONS || depth > 8) return;
  if (typeof value === 'string') {
    const max = limits.textChars?.[pattern] ?? limits.maxTextChars;
    if (value.length > max) out.push({ field: path, description: `must be at most ${max} characters (got ${value.length})` });
    return;
  }
  if (Array.isArray(value)) {
    const max = limits.items?.[pattern] ?? limits.maxItems;
    if (value.length > max) out.push({ field: path, description: `must hold at most ${max} items (got ${value.length})` });
    else value.forEach((item, i) => walk(item, `${path}[${i}]`, pattern, limits, out, depth + 1));
    return;
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return;
  for (const [key, child] of Object.entries(value)) {
    const name = snakeCase(key);
    walk(child, path === '' ? name : `${path}.${name}`, pattern === '' ? name : `${pattern}.${name}`, limits, out, depth + 1);
  }
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
