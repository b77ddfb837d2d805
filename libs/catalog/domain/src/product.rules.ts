import { ValidationError, type FieldViolation } from '@cqrs/errors';

export const NAME_MAX = 200;
export const DESCRIPTION_MAX = 5_000;
export const REASON_MAX = 500;
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;

/** Trimmed name, or a violation. */
export function checkName(name: string, violations: FieldViolation[]): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > NAME_MAX)
    violations.push({ field: 'name', description: `must be 1 to ${NAME_MAX} characters after trimming` });
  return trimmed;
}

export function checkDescription(description: string, violations: FieldViolation[]): string {
  const trimmed = description.trim();
  if (trimmed.length > DESCRIPTION_MAX)
    violations.push({ field: 'description', description: `must be at most ${DESCRIPTION_MAX} characters` });
  return trimmed;
}

/** SKUs compare case-insensitively, so they are kept upper-case. */
export function checkSku(sku: string, violations: FieldViolation[]): string {
  const normalised = sku.trim().toUpperCase();
  if (!SKU_PATTERN.test(normalised))
    violations.push({ field: 'sku', description: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
  return normalised;
}

export function checkReason(reason: string, violations: FieldViolation[]): string {
  const trimmed = reason.trim();
  if (trimmed.length > REASON_MAX) violations.push({ field: 'reason', description: `must be at most ${REASON_MAX} characters` });
  return trimmed;
}

export function throwIfAny(violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}
