import { AMOUNT_MINOR_MAX, isWithin, productWithin, sumWithin, UNITS_MAX } from './bounds';

describe('bounds', () => {
  it('are 10^15 minor units and 10^12 units, far below 2^53', () => {
    expect(AMOUNT_MINOR_MAX).toBe(10 ** 15);
    expect(UNITS_MAX).toBe(10 ** 12);
    expect(AMOUNT_MINOR_MAX * 8).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('accept whole numbers within them only', () => {
    expect(isWithin(AMOUNT_MINOR_MAX, 0, AMOUNT_MINOR_MAX)).toBe(true);
    expect(isWithin(AMOUNT_MINOR_MAX + 1, 0, AMOUNT_MINOR_MAX)).toBe(false);
    expect(isWithin(-1, 0, AMOUNT_MINOR_MAX)).toBe(false);
    expect(isWithin(1.5, 0, AMOUNT_MINOR_MAX)).toBe(false);
    expect(isWithin(Number.NaN, 0, AMOUNT_MINOR_MAX)).toBe(false);
  });

  it('multiply up to the bound and refuse one past it, however far past', () => {
    expect(productWithin(AMOUNT_MINOR_MAX / 4, 4, AMOUNT_MINOR_MAX)).toBe(AMOUNT_MINOR_MAX);
    expect(productWithin(AMOUNT_MINOR_MAX / 4 + 1, 4, AMOUNT_MINOR_MAX)).toBeUndefined();
    expect(productWithin(Number.MAX_SAFE_INTEGER, 99, AMOUNT_MINOR_MAX)).toBeUndefined();
  });

  it('add up to the bound and refuse one past it', () => {
    expect(sumWithin([AMOUNT_MINOR_MAX - 1, 1], AMOUNT_MINOR_MAX)).toBe(AMOUNT_MINOR_MAX);
    expect(sumWithin([AMOUNT_MINOR_MAX, 1], AMOUNT_MINOR_MAX)).toBeUndefined();
    expect(sumWithin([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], AMOUNT_MINOR_MAX)).toBeUndefined();
    expect(sumWithin([], AMOUNT_MINOR_MAX)).toBe(0);
  });
});
