import { waveSize } from './bucketed-scan';

describe('how many buckets a scan reads next', () => {
  it('reads one bucket first', () => {
    expect(waveSize(0, 0, 21)).toBe(1);
  });

  it('reads as many more as the matches per bucket so far say the page needs', () => {
    expect(waveSize(1, 12, 21)).toBe(1); // 12 per bucket, 9 to go
    expect(waveSize(1, 5, 21)).toBe(4); // 5 per bucket, 16 to go: capped
    expect(waveSize(2, 14, 21)).toBe(1);
    expect(waveSize(3, 9, 21)).toBe(4);
  });

  it('reads the most at once while nothing has matched', () => {
    expect(waveSize(1, 0, 21)).toBe(4);
  });
});
