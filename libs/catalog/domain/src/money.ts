import { AMOUNT_MINOR_MAX, isWithin, quote, type FieldViolation } from '@cqrs/errors';

/** An amount in the minor units of an ISO 4217 currency; never a float. */
export interface Money {
  readonly currencyCode: string;
  readonly amountMinor: number;
}

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function moneyViolations(money: Money | undefined, field: string): FieldViolation[] {
  if (money === undefined) return [{ field, description: 'is required' }];
  const violations: FieldViolation[] = [];
  if (!ISO_4217.has(money.currencyCode)) {
    violations.push({
      field: `${field}.currency_code`,
      description: `must be an ISO 4217 currency code such as "EUR" (got ${quote(money.currencyCode)})`,
    });
  }
  if (!isWithin(money.amountMinor, 0, AMOUNT_MINOR_MAX)) {
    violations.push({ field: `${field}.amount_minor`, description: `must be a whole number of minor units from 0 to ${AMOUNT_MINOR_MAX}` });
  }
  return violations;
}
