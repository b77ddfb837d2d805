/** Shortest prefix kept as a search token; shorter query words are refused. */
export const MIN_TOKEN_LENGTH = 2;
const MAX_PREFIX_LENGTH = 20;

/** Lower-cased, accent-folded words: "Crème Brûlée" → ["creme", "brulee"]. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** Every word and every prefix of it from MIN_TOKEN_LENGTH characters on, deduplicated and sorted. */
export function searchTokens(...texts: string[]): string[] {
  const tokens = new Set<string>();
  for (const word of texts.flatMap(words)) {
    if (word.length < MIN_TOKEN_LENGTH) continue;
    for (let end = MIN_TOKEN_LENGTH; end <= Math.min(word.length, MAX_PREFIX_LENGTH); end++) tokens.add(word.slice(0, end));
    tokens.add(word);
  }
  return [...tokens].sort();
}

/** The tokens a query must all match: its folded words (each a stored word or prefix). */
export function queryTokens(query: string): string[] {
  return [...new Set(words(query))].sort();
}
