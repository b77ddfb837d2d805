export {
  AlreadyExistsError,
  ConcurrencyError,
  DeadlineExceededError,
  DependencyUnavailableError,
  IllegalStateError,
  NotFoundError,
  PlatformError,
  ResourceExhaustedError,
  ValidationError,
} from './domain-errors';
export type { FieldViolation, PlatformErrorOptions } from './domain-errors';
export { isSocketError } from './socket-errors';
export { AMOUNT_MINOR_MAX, isWithin, productWithin, sumWithin, UNITS_MAX } from './bounds';
export { quote, QUOTE_MAX_CHARS, truncateText } from './bounded-text';
