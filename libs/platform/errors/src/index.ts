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
