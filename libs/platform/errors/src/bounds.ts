/**
 * The bounds every number the domain stores or computes stays within. Both lie far below 2^53, so
 * every value within them is exact in a JavaScript number and loads again from an int64 field
 * (ts-proto's forceLong=number refuses anything beyond ±2^53).
 */

/** The most money any amount may hold, in minor units (10^15): a price, a line total, an order's total. */
export const AMOUNT_MINOR_MAX = 1_000_000_000_000_000;

/** The most units any count may hold (10^12): stock on hand, reserved, an adjustment, a quantity. */
export const UNITS_MAX = 1_000_000_000_000;

/** Whether the value is a whole number from min to max. */
export function isWithin(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * a × b, or undefined when it would pass max (or is not a whole number). For safe integers and a
 * max below 2^53 the check is exact: a result within max is computed exactly, and a true result
 * beyond it cannot round down to within it.
 */
export function productWithin(a: number, b: number, max: number): number | undefined {
  const product = a * b;
  return Number.isSafeInteger(product) && product <= max ? product : undefined;
}

/** The sum of non-negative whole numbers, or undefined when it would pass max (exact, as above). */
export function sumWithin(values: readonly number[], max: number): number | undefined {
  let sum = 0;
  for (const value of values) {
    sum += value;
    if (!Number.isSafeInteger(sum) || sum > max) return undefined;
  }
  return sum;
}
