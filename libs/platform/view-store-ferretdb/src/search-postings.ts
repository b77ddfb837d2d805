import { compareKeys, isBeyond, type ListOrder, type OrderKey, type OrderPosition, type SearchSpec } from '@cqrs/projection';

/** One view in this many carries sample postings. */
export const SEARCH_SAMPLE_RATE = 64;

/** One search posting: a token pointing at a view, so a search is an equality lookup by token. */
export interface SearchPosting {
  readonly _id: string;
  readonly token: string;
  readonly viewId: string;
  /** The view's key in the search's order: results come in that order. */
  readonly key: string | number;
  readonly version: number;
  /** The token again, on a sample of the views only: how many postings carry it estimates how common the token is. */
  readonly sampleToken?: string;
}

export const postingsCollection = (viewsCollection: string) => `${viewsCollection}_search_postings`;

/**
 * Whether a view's postings are in the sample: a fixed hash (FNV-1a) of its id, so the choice is
 * the same on every rebuild. The sample lets a search tell a rare token from a common one by
 * reading a sixty-fourth of its postings.
 */
export function isSearchSample(viewId: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < viewId.length; i++) {
    hash ^= viewId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SEARCH_SAMPLE_RATE === 0;
}

/** The postings a view implies (none when it is not in the search's order, e.g. deleted). */
export function postingsOf<View extends { readonly _id: string; readonly version: number }>(
  search: SearchSpec<View>,
  order: ListOrder<View>,
  view: View,
): SearchPosting[] {
  const key = order.key(view);
  if (key === undefined) return [];
  const sample = isSearchSample(view._id);
  return [...new Set(search.tokens(view))].map((token) => ({
    _id: `${token}|${view._id}`,
    token,
    viewId: view._id,
    key: key[0],
    version: view.version,
    ...(sample ? { sampleToken: token } : {}),
  }));
}

/** The postings' views beyond a position, in order. */
export function candidatesOf(postings: readonly Pick<SearchPosting, 'viewId' | 'key'>[], after: OrderPosition | undefined): string[] {
  return postings
    .map((posting): OrderKey => [posting.key, posting.viewId])
    .filter((key) => isBeyond(key, after, false))
    .sort(compareKeys)
    .map((key) => key[1]);
}
