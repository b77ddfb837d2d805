import {
  AMOUNT_MINOR_MAX,
  IllegalStateError,
  isWithin,
  productWithin,
  sumWithin,
  ValidationError,
  type FieldViolation,
} from '@cqrs/errors';
import type { RequestedLine } from './order.commands';
import type { Money, OrderReference, PricedLine } from './order.values';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;
export const NOTES_MAX = 500;
export const REASON_MAX = 500;
export const CUSTOMER_MAX = 100;
const TABLE_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,15}$/u;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Exactly one of table and customer, trimmed. */
export function checkReference(reference: { table?: string; customer?: string }, violations: FieldViolation[]): OrderReference {
  const table = reference.table?.trim() ?? '';
  const customer = reference.customer?.trim() ?? '';
  if (table !== '' && customer !== '') violations.push({ field: 'reference', description: 'must be a table or a customer, not both' });
  else if (table === '' && customer === '') violations.push({ field: 'reference', description: 'must name a table or a customer' });
  else if (table !== '' && !TABLE_PATTERN.test(table))
    violations.push({ field: 'reference.table', description: 'must be 1 to 16 letters, digits, spaces, ".", "_" or "-"' });
  else if (customer.length > CUSTOMER_MAX)
    violations.push({ field: 'reference.customer', description: `must be at most ${CUSTOMER_MAX} characters` });
  return table !== '' ? { table } : { customer };
}

export function checkLines(lines: readonly RequestedLine[], violations: FieldViolation[]): void {
  if (lines.length === 0) violations.push({ field: 'lines', description: 'must hold at least one line' });
  if (lines.length > MAX_LINES) violations.push({ field: 'lines', description: `must hold at most ${MAX_LINES} lines` });
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    if (!UUID_PATTERN.test(line.productId))
      violations.push({ field: `lines[${i}].product_id`, description: 'must be a product id (a UUID)' });
    else if (seen.has(line.productId.toLowerCase()))
      violations.push({
        field: `lines[${i}].product_id`,
        description: `is already on line ${seen.get(line.productId.toLowerCase())}; put the whole quantity on one line`,
      });
    seen.set(line.productId.toLowerCase(), seen.get(line.productId.toLowerCase()) ?? i);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY)
      violations.push({ field: `lines[${i}].quantity`, description: `must be a whole number from 1 to ${MAX_QUANTITY}` });
  });
}

export function checkText(field: string, text: string, max: number, violations: FieldViolation[]): string {
  const trimmed = text.trim();
  if (trimmed.length > max) violations.push({ field, description: `must be at most ${max} characters` });
  return trimmed;
}

/**
 * The order's total: every line in one currency (a restaurant bills in one), quantities times unit
 * prices. A line total or a total past AMOUNT_MINOR_MAX is FAILED_PRECONDITION (AMOUNT_LIMIT_EXCEEDED).
 */
export function totalOf(lines: readonly PricedLine[]): Money {
  const [first] = lines;
  const currencyCode = first?.unitPrice.currencyCode ?? '';
  const violations: FieldViolation[] = [];
  lines.forEach((line, i) => {
    if (line.unitPrice.currencyCode !== currencyCode)
      violations.push({
        field: `lines[${i}].unit_price.currency_code`,
        description: `must be ${currencyCode}, the currency of the first line`,
      });
    if (!isWithin(line.unitPrice.amountMinor, 0, AMOUNT_MINOR_MAX))
      violations.push({
        field: `lines[${i}].unit_price.amount_minor`,
        description: `must be a whole number of minor units from 0 to ${AMOUNT_MINOR_MAX}`,
      });
  });
  throwIfAny(violations);
  const lineTotals = lines.map((line) => productWithin(line.quantity, line.unitPrice.amountMinor, AMOUNT_MINOR_MAX));
  const amountMinor = lineTotals.every((total) => total !== undefined) ? sumWithin(lineTotals, AMOUNT_MINOR_MAX) : undefined;
  if (amountMinor === undefined) {
    throw new IllegalStateError(`the order's total would pass ${AMOUNT_MINOR_MAX} minor units`, {
      reason: 'AMOUNT_LIMIT_EXCEEDED',
      metadata: { limit: String(AMOUNT_MINOR_MAX) },
    });
  }
  return { currencyCode, amountMinor };
}

export function throwIfAny(violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}
