import { ErrorCode, NatsError } from 'nats';
import { DependencyUnavailableError } from '@cqrs/errors';

/** JetStream API error codes (`err_code` of an API reply) that callers act on; nats-server's `server/errors.json`. */
export const JetStreamApiCode = {
  ClusterNotAvailable: 10008,
  ConsumerNotFound: 10014,
  InsufficientResources: 10023,
  StreamNotFound: 10059,
  NotEnabled: 10076,
} as const;

/** Codes of a server that cannot answer now (JetStream down, no quorum, no room): the caller should retry later. */
const UNAVAILABLE_API_CODES = new Set<number>([
  JetStreamApiCode.ClusterNotAvailable,
  JetStreamApiCode.InsufficientResources,
  JetStreamApiCode.NotEnabled,
]);

/** Client-side codes of a request that got no answer: the server is down, restarting or unreachable. */
const UNAVAILABLE_CLIENT_CODES = new Set<string>([
  ErrorCode.Timeout,
  ErrorCode.NoResponders,
  ErrorCode.ConnectionClosed,
  ErrorCode.ConnectionDraining,
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionTimeout,
  ErrorCode.Disconnect,
]);

/** A JetStream API call the server refused; `errCode` is its JetStream API error code when it sent one. */
export class JetStreamApiError extends Error {
  constructor(
    message: string,
    readonly errCode: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stream does not exist (JetStream API error 10059). */
export class StreamNotFoundError extends JetStreamApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, JetStreamApiCode.StreamNotFound, options);
  }
}

/** The consumer does not exist (JetStream API error 10014). */
export class ConsumerNotFoundError extends JetStreamApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, JetStreamApiCode.ConsumerNotFound, options);
  }
}

/**
 * The one translation of nats.js errors: a missing stream or consumer becomes its own class (keyed
 * on the JetStream API error code, never on the message), anything that says the server cannot
 * answer now becomes DependencyUnavailableError('nats') (UNAVAILABLE), another API refusal a
 * JetStreamApiError. Other errors are returned as they are.
 */
export function translateNatsError(err: unknown): unknown {
  if (err instanceof JetStreamApiError || err instanceof DependencyUnavailableError) return err;
  if (!(err instanceof NatsError)) return err;
  const natsError = err;
  const errCode = natsError.api_error?.err_code;
  const message = natsError.api_error?.description ?? natsError.message;
  if (errCode === JetStreamApiCode.StreamNotFound) return new StreamNotFoundError(message, { cause: err });
  if (errCode === JetStreamApiCode.ConsumerNotFound) return new ConsumerNotFoundError(message, { cause: err });
  if ((errCode !== undefined && UNAVAILABLE_API_CODES.has(errCode)) || UNAVAILABLE_CLIENT_CODES.has(natsError.code)) {
    return new DependencyUnavailableError('nats', { cause: err });
  }
  if (natsError.api_error !== undefined) return new JetStreamApiError(message, errCode, { cause: err });
  return err;
}

/** Runs a NATS call and throws its error translated. */
export async function natsCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateNatsError(err);
  }
}

/** Runs a lookup that answers "not found" with one of the classes above; resolves to undefined then. */
export async function unlessMissing<T>(
  missing: typeof StreamNotFoundError | typeof ConsumerNotFoundError,
  lookup: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await natsCall(lookup);
  } catch (err) {
    if (err instanceof missing) return undefined;
    throw err;
  }
}
