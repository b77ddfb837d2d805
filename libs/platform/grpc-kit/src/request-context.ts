import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from '@cqrs/logging';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a handler knows about the call besides its request message. */
export interface RequestContext {
  /** From the caller's x-request-id header, or generated; echoed in the response headers. */
  readonly requestId: string;
  /** A child logger bound to the request id and method. */
  readonly logger: Logger;
  /** Absolute deadline in epoch milliseconds; Infinity when the caller set none. */
  readonly deadline: number;
  readonly metadata: Metadata;
  /** Aborted when the caller cancels or the deadline passes. */
  readonly signal: AbortSignal;
}
