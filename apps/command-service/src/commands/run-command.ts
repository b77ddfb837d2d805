import { randomUUID } from 'node:crypto';
import type { handleUnaryCall } from '@grpc/grpc-js';
import type { commonV1 } from '@cqrs/contracts';
import type { FieldViolation } from '@cqrs/errors';
import { unary } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import type { AggregateType, CommandExecutor } from '@cqrs/write-store';
import {
  checkCommonFields,
  checkShape,
  checkUuid,
  eventMetadataOf,
  idempotencyKeyOf,
  throwIfViolations,
  toCommandAck,
  type CommandRequestFields,
} from './command-request';

type CommandResponse = { ack: commonV1.CommandAck | undefined };

/**
 * The generated (ts-proto, grpc-js) definition of a command RPC: its path names the method for
 * idempotency, its serializer is the request's canonical encoding.
 */
export interface CommandMethod<Req> {
  readonly path: string;
  readonly requestSerialize: (request: Req) => Buffer;
  readonly responseSerialize: (response: CommandResponse) => Buffer;
}

/** What one command RPC adds to the shared checks: where its aggregate id comes from, its own rules, its command. */
export interface CommandRpc<Req, Command> {
  /** The request's id field (`field` names it in violations), or `new` for a create, which makes the id. */
  readonly id: { readonly field: string; readonly of: (request: Req) => string } | 'new';
  readonly check?: (request: Req, violations: FieldViolation[]) => void;
  /** The command; `aggregateId` is already checked and in the one form streams use (lower case). */
  readonly command: (request: Req, aggregateId: string) => Command;
}

/**
 * Makes the handlers of one aggregate's command RPCs: each checks its request, runs one command
 * through the executor (idempotency by request id, expected version, metadata from the call) and
 * acknowledges with the new version and a consistency token.
 */
export function commandRpcs<State, Command, Event>(
  executor: CommandExecutor,
  aggregate: AggregateType<State, Command, Event>,
  logger: Logger,
) {
  return <Req extends CommandRequestFields>(
    method: CommandMethod<Req>,
    rpc: CommandRpc<Req, Command>,
  ): handleUnaryCall<Req, CommandResponse> =>
    unary(logger, async (request: Req, context) => {
      checkShape(request);
      const violations: FieldViolation[] = [];
      checkCommonFields(request, violations);
      if (rpc.id !== 'new') checkUuid(rpc.id.field, rpc.id.of(request), violations);
      rpc.check?.(request, violations);
      throwIfViolations(violations);
      // A retry with the same request id finds its first result before a new id is used.
      const aggregateId = rpc.id === 'new' ? randomUUID() : rpc.id.of(request).toLowerCase();
      const result = await executor.execute(aggregate, {
        aggregateId,
        command: rpc.command(request, aggregateId),
        ...(request.expectedVersion !== undefined ? { expectedVersion: request.expectedVersion } : {}),
        // The method as stored with earlier idempotency records: the path without its leading slash.
        idempotency: idempotencyKeyOf(method.path.slice(1), request.requestId, method.requestSerialize({ ...request, requestId: '' })),
        metadata: eventMetadataOf(request.requestId, context),
        now: new Date(),
      });
      return { ack: toCommandAck(aggregate.streamType, result) };
    });
}
