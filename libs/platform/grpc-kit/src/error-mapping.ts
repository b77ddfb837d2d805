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
  ValidationError,
} from '@cqrs/errors';

/** google.rpc.ErrorInfo.domain of every error this platform sends. */
export const ERROR_DOMAIN = 'cqrs.platform';
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

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
 * carry google.rpc details (ErrorInfo always, BadRequest for validation) in grpc-status-details-bin;
 * anything else answers INTERNAL with a generic message and no internals.
 */
export function toServiceError(err: unknown): MappedError {
  if (err instanceof PlatformError) {
    const code = CODE_BY_CLASS.find(([cls]) => err instanceof cls)?.[1] ?? Status.INTERNAL;
    return { error: serviceError(code, err.message, detailsOf(err)), expected: true };
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

function detailsOf(err: PlatformError): googleRpc.Any[] {
  const details = [
    pack('google.rpc.ErrorInfo', googleRpc.ErrorInfo.encode({ reason: err.reason, domain: ERROR_DOMAIN, metadata: { ...err.metadata } }).finish()),
  ];
  if (err instanceof ValidationError) {
    const badRequest = googleRpc.BadRequest.fromPartial({
      fieldViolations: err.violations.map((v) => ({ field: v.field, description: v.description })),
    });
    details.push(pack('google.rpc.BadRequest', googleRpc.BadRequest.encode(badRequest).finish()));
  }
  return details;
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
