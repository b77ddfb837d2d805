/** One product in this many carries sample postings. */
export const SEARCH_SAMPLE_RATE = 64;

/**
 * Whether a product's postings are in the sample: a fixed hash (FNV-1a) of its id, so the choice
 * is the same on every rebuild. The sample lets a search tell a rare token from a common one by
 * reading a sixty-fourth of its postings.
 */
export function isSearchSample(productId: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < productId.length; i++) {
    hash ^= productId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SEARCH_SAMPLE_RATE === 0;
}
