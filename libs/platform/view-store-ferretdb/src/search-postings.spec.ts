import type { ListOrder, SearchSpec } from '@cqrs/projection';
import { candidatesOf, isSearchSample, postingsOf, SEARCH_SAMPLE_RATE } from './search-postings';

interface Item {
  readonly _id: string;
  readonly version: number;
  readonly words: readonly string[];
  readonly at: number;
  readonly deleted?: boolean;
}
const byTime: ListOrder<Item> = { name: 'at', key: (v) => (v.deleted ? undefined : [v.at, v._id]) };
const search: SearchSpec<Item> = { order: 'at', tokens: (v) => v.words };

describe('search postings', () => {
  it('one posting per token, keyed by token and view, carrying the key in the search order', () => {
    const item = { _id: 'p1', version: 3, words: ['creme', 'cre', 'creme'], at: 42 };
    expect(postingsOf(search, byTime, item).map(({ sampleToken: _s, ...p }) => p)).toEqual([
      { _id: 'creme|p1', token: 'creme', viewId: 'p1', key: 42, version: 3 },
      { _id: 'cre|p1', token: 'cre', viewId: 'p1', key: 42, version: 3 },
    ]);
    expect(postingsOf(search, byTime, { ...item, deleted: true })).toEqual([]);
  });

  it('marks the postings of one view in SEARCH_SAMPLE_RATE, the same ones on every rebuild', () => {
    const ids = Array.from({ length: 6_400 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const sampled = ids.filter(isSearchSample);
    expect(sampled.length).toBeGreaterThan(6_400 / SEARCH_SAMPLE_RATE / 2);
    expect(sampled.length).toBeLessThan((6_400 / SEARCH_SAMPLE_RATE) * 2);
    const [inSample, outOfSample] = [sampled[0] ?? '', ids.find((id) => !isSearchSample(id)) ?? ''];
    const item = (id: string) => ({ _id: id, version: 1, words: ['a', 'b'], at: 1 });
    expect(postingsOf(search, byTime, item(inSample)).every((p) => p.sampleToken === p.token)).toBe(true);
    expect(postingsOf(search, byTime, item(outOfSample)).every((p) => p.sampleToken === undefined)).toBe(true);
  });

  it('orders candidates by key then id, beyond a position', () => {
    const postings = [
      { viewId: 'b', key: 2 },
      { viewId: 'a', key: 2 },
      { viewId: 'c', key: 1 },
    ];
    expect(candidatesOf(postings, undefined)).toEqual(['c', 'a', 'b']);
    expect(candidatesOf(postings, { key: [2, 'a'] })).toEqual(['b']);
  });
});
