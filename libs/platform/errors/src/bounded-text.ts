/** How much of a caller's value an error message quotes. */
export const QUOTE_MAX_CHARS = 32;

/**
 * At most `max` characters of `text`, marked with the full length when cut, e.g.
 * `abc…(100000 chars)`. Errors use it for anything that came from a caller, so an answer never
 * grows with the request.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…(${text.length} chars)`;
}

/** A caller's value quoted for an error message: `"EURO"`, or `"EUROEURO…(100000 chars)"`. */
export function quote(value: string): string {
  return `"${truncateText(value, QUOTE_MAX_CHARS)}"`;
}
