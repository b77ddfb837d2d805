import { splitPoints } from './bucket-maintainer';
import { bucketIndexOf, compareKeys, inBucket, initialDirectory, isBeyond, type BucketDirectory } from './ordered-buckets';

const directory: BucketDirectory = {
  _id: 'name',
  revision: 3,
  buckets: [
    { id: 'name.0', low: null },
    { id: 'name.b', low: ['banana', 'p2'] },
    { id: 'name.c', low: ['cherry', 'p1'] },
  ],
};

describe('ordered buckets', () => {
  it('orders keys by value (numbers numerically), then by id', () => {
    expect(compareKeys([10, 'a'], [9, 'z'])).toBeGreaterThan(0);
    expect(compareKeys(['apple', 'z'], ['banana', 'a'])).toBeLessThan(0);
    expect(compareKeys(['apple', 'a'], ['apple', 'b'])).toBeLessThan(0);
    expect(compareKeys(['apple', 'a'], ['apple', 'a'])).toBe(0);
  });

  it('finds the bucket whose range holds a key; boundaries belong to the upper bucket', () => {
    expect(bucketIndexOf(directory, ['apple', 'p9'])).toBe(0);
    expect(bucketIndexOf(directory, ['banana', 'p1'])).toBe(0);
    expect(bucketIndexOf(directory, ['banana', 'p2'])).toBe(1);
    expect(bucketIndexOf(directory, ['zucchini', 'p0'])).toBe(2);
    expect(bucketIndexOf(initialDirectory({ name: 'price' }), [5, 'x'])).toBe(0);
    expect(inBucket(directory, 1, ['banana', 'p3'])).toBe(true);
    expect(inBucket(directory, 1, ['cherry', 'p1'])).toBe(false);
  });

  it('tells whether a key lies beyond a position, either way, strictly or from it on', () => {
    expect(isBeyond(['b', 'x'], undefined, false)).toBe(true);
    expect(isBeyond(['b', 'x'], { key: ['b', 'x'] }, false)).toBe(false);
    expect(isBeyond(['b', 'x'], { key: ['b', 'x'], inclusive: true }, false)).toBe(true);
    expect(isBeyond(['a', 'x'], { key: ['b', 'x'] }, true)).toBe(true);
    expect(isBeyond(['c', 'x'], { key: ['b', 'x'] }, true)).toBe(false);
  });
});

describe('where a bucket is split', () => {
  it('cuts a bucket inside the order into equal pieces about half full, never a small remainder', () => {
    expect(splitPoints(134, 128, false)).toEqual([67]);
    expect(splitPoints(129, 128, false)).toEqual([65]);
    expect(splitPoints(600, 128, false)).toEqual([67, 133, 200, 267, 333, 400, 467, 533]);
  });

  it('cuts the last bucket into nine-tenths-full pieces, the remainder last', () => {
    expect(splitPoints(129, 128, true)).toEqual([115]);
    expect(splitPoints(500, 128, true)).toEqual([115, 230, 345, 460]);
  });
});
