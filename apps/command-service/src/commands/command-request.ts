import { createHash } from 'node:crypto';
import { commonV1, encodeConsistencyToken } from '@cqrs/contracts';
import { ValidationError, type FieldViolation } from '@cqrs/errors';
import { shapeViolations, type RequestContext, type RequestShapeLimits } from '@cqrs/grpc-kit';
import { MAX_LINES } from '@cqrs/orders-domain';
import type { AppendResult, EventMetadata, IdempotencyKey } from '@cqrs/write-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Bounds on any command request, checked before anything else: longer text than any rule allows
 * (the rules themselves, e.g. a name of 1 to 200 characters, come later), more order lines than an
 * order may hold, more update_mask paths than there are fields to update.
 */
export const COMMAND_SHAPE: RequestShapeLimits = { maxTextChars: 10_000, maxItems: MAX_LINES, items: { update_mask: 2 } };

/** Refuses a request outside COMMAND_SHAPE at once, without looking further. */
export function checkShape(request: object): void {
  throwIfViolations(shapeViolations(request, COMMAND_SHAPE));
}

/** The parts every command request shares. */
export interface CommandRequestFields {
  readonly requestId: string;
  readonly expectedVersion?: number | undefined;
}

/** Checks the shared fields, adding violations; the aggregate id when one is named. */
export function checkCommonFields(request: CommandRequestFields, violations: FieldViolation[]): void {
  if (request.requestId !== '' && !REQUEST_ID.test(request.requestId)) {
    violations.push({ field: 'request_id', description: 'must be 1 to 128 printable ASCII characters without spaces' });
  }
  if (request.expectedVersion !== undefined && (!Number.isSafeInteger(request.expectedVersion) || request.expectedVersion < 0)) {
    violations.push({ field: 'expected_version', description: 'must be zero or more' });
  }
}

export function checkUuid(field: string, value: string, violations: FieldViolation[]): void {
  if (!UUID.test(value)) violations.push({ field, description: 'must be a UUID' });
}

export function throwIfViolations(violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}

/**
 * The idempotency key of a request that carries a request id: the same id with the same method
 * and content is a retry; with anything else it is refused.
 */
export function idempotencyKeyOf(method: string, requestId: string, canonicalRequest: Uint8Array): IdempotencyKey | undefined {
  if (requestId === '') return undefined;
  const requestHash = createHash('sha256').update(method).update('\0').update(canonicalRequest).digest('hex');
  return { requestId, method, requestHash };
}

/** Who and what caused the command, from the call's headers. */
export function eventMetadataOf(requestId: string, context: RequestContext): EventMetadata {
  const header = (name: string) => {
    const value = context.metadata.get(name)[0];
    return typeof value === 'string' && value.length <= 256 ? value : undefined;
  };
  const id = requestId || context.requestId;
  return {
    requestId: id,
    correlationId: header('x-correlation-id') ?? id,
    causationId: id,
    ...(header('x-actor') !== undefined ? { actor: header('x-actor') } : {}),
    ...(header('traceparent') !== undefined ? { traceparent: header('traceparent') } : {}),
  };
}

/** The acknowledgement of a write to a stream of `streamType`; its token carries the write's parts. */
export function toCommandAck(streamType: string, result: AppendResult): commonV1.CommandAck {
  const { streamId, aggregateId, version, position } = result;
  return { aggregateId, version, consistencyToken: encodeConsistencyToken({ streamId, streamType, aggregateId, version, position }) };
}
