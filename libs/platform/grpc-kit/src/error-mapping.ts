import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { googleRpc } from '@cqrs/contracts';
import {
  AlreadyExistsError,
  ConcurrencyError,
  DeadlineExceededError,
  DependencyUnavailableError,
  IllegalStateError,
  NotFoundError,
  PlatformError,
  ResourceExhaustedError,
  truncateText,
  ValidationError,
} from '@cqrs/errors';

/** google.rpc.ErrorInfo.domain of every error this platform sends. */
export const ERROR_DOMAIN = 'cqrs.platform';
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * Bounds on what an error sends back, whatever the request held. An answer's trailers must fit
 * the peer's header limits: one that does not is never delivered and stalls the whole HTTP/2
 * connection. The details are sent base64-encoded, so 6 KiB of them is 8 KiB in the trailer.
 */
export const ERROR_LIMITS = {
  /** grpc-message is percent-encoded: up to 9 bytes per character outside ASCII. */
  messageChars: 256,
  /** BadRequest field violations sent; ErrorInfo metadata `field_violations` gives the total. */
  violations: 20,
  fieldChars: 80,
  descriptionChars: 160,
  metadataEntries: 16,
  metadataKeyChars: 64,
  metadataValueChars: 128,
  detailsBytes: 6 * 1024,
} as const;

const CODE_BY_CLASS: ReadonlyArray<readonly [abstract new (...args: never[]) => PlatformError, Status]> = [
  [ValidationError, Status.INVALID_ARGUMENT],
  [NotFoundError, Status.NOT_FOUND],
  [AlreadyExistsError, Status.ALREADY_EXISTS],
  [IllegalStateError, Status.FAILED_PRECONDITION],
  [ConcurrencyError, Status.ABORTED],
  [DependencyUnavailableError, Status.UNAVAILABLE],
  [DeadlineExceededError, Status.DEADLINE_EXCEEDED],
  [ResourceExhaustedError, Status.RESOURCE_EXHAUSTED],
];

export interface MappedError {
  readonly error: ServiceError;
  /** True when the error is the platform's own (a caller's mistake or a known condition). */
  readonly expected: boolean;
}

/**
 * The one place where an error becomes a gRPC status. Platform errors keep their message and
 * carry google.rpc details (ErrorInfo always, BadRequest for validation) in grpc-status-details-bin,
 * all cut to ERROR_LIMITS; anything else answers INTERNAL with a generic message and no internals.
 */
export function toServiceError(err: unknown): MappedError {
  if (err instanceof PlatformError) {
    const code = CODE_BY_CLASS.find(([cls]) => err instanceof cls)?.[1] ?? Status.INTERNAL;
    const message = truncateText(err.message, ERROR_LIMITS.messageChars);
    return { error: serviceError(code, message, detailsOf(err, code, message)), expected: true };
  }
  return { error: serviceError(Status.INTERNAL, 'internal error', []), expected: false };
}

/** Decodes the google.rpc.Status a server put in grpc-status-details-bin, if any. */
export function statusDetailsOf(metadata: Metadata | undefined): googleRpc.Status | undefined {
  const raw = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw === undefined) return undefined;
  return googleRpc.Status.decode(typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw);
}

/** The BadRequest field violations inside a status, for clients and tests. */
export function fieldViolationsOf(metadata: Metadata | undefined): googleRpc.BadRequest_FieldViolation[] {
  const details = statusDetailsOf(metadata)?.details ?? [];
  return details
    .filter((any) => any.typeUrl === TYPE_URL_PREFIX + 'google.rpc.BadRequest')
    .flatMap((any) => googleRpc.BadRequest.decode(any.value).fieldViolations);
}

/** The ErrorInfo inside a status, for clients and tests. */
export function errorInfoOf(metadata: Metadata | undefined): googleRpc.ErrorInfo | undefined {
  const any = statusDetailsOf(metadata)?.details.find((d) => d.typeUrl === TYPE_URL_PREFIX + 'google.rpc.ErrorInfo');
  return any && googleRpc.ErrorInfo.decode(any.value);
}

function detailsOf(err: PlatformError, code: Status, message: string): googleRpc.Any[] {
  const violations = err instanceof ValidationError ? err.violations : [];
  const metadata = boundedMetadata({
    ...err.metadata,
    ...(violations.length > ERROR_LIMITS.violations ? { field_violations: String(violations.length) } : {}),
  });
  const errorInfo = pack(
    'google.rpc.ErrorInfo',
    googleRpc.ErrorInfo.encode({
      reason: truncateText(err.reason, ERROR_LIMITS.metadataKeyChars),
      domain: ERROR_DOMAIN,
      metadata,
    }).finish(),
  );
  if (!(err instanceof ValidationError)) return [errorInfo];
  const fieldViolations = violations.slice(0, ERROR_LIMITS.violations).map((v) => ({
    field: truncateText(v.field, ERROR_LIMITS.fieldChars),
    description: truncateText(v.description, ERROR_LIMITS.descriptionChars),
  }));
  // The limits above keep this far below detailsBytes; dropping violations is the last resort.
  while (fieldViolations.length > 0 && statusBytes(code, message, [errorInfo, badRequest(fieldViolations)]) > ERROR_LIMITS.detailsBytes)
    fieldViolations.pop();
  return [errorInfo, badRequest(fieldViolations)];
}

function boundedMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(metadata).slice(0, ERROR_LIMITS.metadataEntries);
  return Object.fromEntries(
    entries.map(([key, value]) => [truncateText(key, ERROR_LIMITS.metadataKeyChars), truncateText(value, ERROR_LIMITS.metadataValueChars)]),
  );
}

function badRequest(fieldViolations: ReadonlyArray<{ field: string; description: string }>): googleRpc.Any {
  return pack(
    'google.rpc.BadRequest',
    googleRpc.BadRequest.encode(googleRpc.BadRequest.fromPartial({ fieldViolations: [...fieldViolations] })).finish(),
  );
}

function statusBytes(code: Status, message: string, details: googleRpc.Any[]): number {
  return googleRpc.Status.encode({ code, message, details }).finish().length;
}

function pack(typeName: string, value: Uint8Array): googleRpc.Any {
  return { typeUrl: TYPE_URL_PREFIX + typeName, value: Buffer.from(value) };
}

function serviceError(code: Status, message: string, details: googleRpc.Any[]): ServiceError {
  const metadata = new Metadata();
  if (details.length > 0) {
    const encoded = googleRpc.Status.encode({ code, message, details }).finish();
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(encoded));
  }
  return Object.assign(new Error(message), { code, details: message, metadata });
}
