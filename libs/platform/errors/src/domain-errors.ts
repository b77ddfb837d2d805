/**
 * The errors the domain and the platform throw. The gRPC kit maps each class to one
 * status code (see grpc-kit's error-mapping.ts); nothing else decides a status.
 */
import { truncateText } from './bounded-text';

/** Violations a ValidationError's message names; the rest are counted. */
const MESSAGE_VIOLATIONS = 3;

export interface FieldViolation {
  /** Path of the bad field in the request, e.g. `price.currency_code`; empty for the request as a whole. */
  readonly field: string;
  readonly description: string;
}

export interface PlatformErrorOptions {
  /** Machine-readable UPPER_SNAKE reason, sent as google.rpc.ErrorInfo.reason. */
  readonly reason?: string;
  /** Extra facts for the caller, sent as google.rpc.ErrorInfo.metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export abstract class PlatformError extends Error {
  abstract readonly defaultReason: string;
  readonly metadata: Readonly<Record<string, string>>;
  private readonly explicitReason: string | undefined;

  protected constructor(message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.explicitReason = options.reason;
    this.metadata = options.metadata ?? {};
  }

  get reason(): string {
    return this.explicitReason ?? this.defaultReason;
  }
}

/** Bad input: one violation per bad field. Maps to INVALID_ARGUMENT. */
export class ValidationError extends PlatformError {
  readonly defaultReason = 'INVALID_ARGUMENT';
  constructor(
    readonly violations: readonly FieldViolation[],
    options: PlatformErrorOptions = {},
  ) {
    super(validationMessage(violations), options);
  }
}

/** Names the first few violations only: a request with thousands of them still gets a short message. */
function validationMessage(violations: readonly FieldViolation[]): string {
  const named = violations
    .slice(0, MESSAGE_VIOLATIONS)
    .map((v) => (v.field === '' ? '' : `${truncateText(v.field, 64)}: `) + truncateText(v.description, 160));
  const more = violations.length > MESSAGE_VIOLATIONS ? `; and ${violations.length - MESSAGE_VIOLATIONS} more` : '';
  return `invalid request: ${named.join('; ')}${more}`;
}

/** A business rule forbids the command in the aggregate's current state. Maps to FAILED_PRECONDITION. */
export class IllegalStateError extends PlatformError {
  readonly defaultReason = 'ILLEGAL_STATE';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(message, options);
  }
}

/** Maps to NOT_FOUND. */
export class NotFoundError extends PlatformError {
  readonly defaultReason = 'NOT_FOUND';
  constructor(
    readonly resource: string,
    readonly id: string,
    options: PlatformErrorOptions = {},
  ) {
    super(`${resource} ${id} not found`, { ...options, metadata: { resource, id, ...options.metadata } });
  }
}

/** Maps to ALREADY_EXISTS. */
export class AlreadyExistsError extends PlatformError {
  readonly defaultReason = 'ALREADY_EXISTS';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(message, options);
  }
}

/** The aggregate moved on since the caller read it. Maps to ABORTED. */
export class ConcurrencyError extends PlatformError {
  readonly defaultReason = 'VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
    options: PlatformErrorOptions = {},
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`, {
      ...options,
      metadata: {
        stream_id: streamId,
        expected_version: String(expectedVersion),
        current_version: String(actualVersion),
        ...options.metadata,
      },
    });
  }
}

/** A dependency (database, broker) cannot be reached. Maps to UNAVAILABLE. */
export class DependencyUnavailableError extends PlatformError {
  readonly defaultReason = 'DEPENDENCY_UNAVAILABLE';
  constructor(
    readonly dependency: string,
    options: PlatformErrorOptions = {},
  ) {
    super(`${dependency} is unavailable`, { ...options, metadata: { dependency, ...options.metadata } });
  }
}

/** The caller's deadline passed before the work could be done. Maps to DEADLINE_EXCEEDED. */
export class DeadlineExceededError extends PlatformError {
  readonly defaultReason = 'DEADLINE_EXCEEDED';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(message, options);
  }
}

/** A per-process limit is reached (e.g. open watch streams); retry later or elsewhere. Maps to RESOURCE_EXHAUSTED. */
export class ResourceExhaustedError extends PlatformError {
  readonly defaultReason = 'RESOURCE_EXHAUSTED';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(message, options);
  }
}
