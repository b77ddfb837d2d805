import type { RequestContext } from '@cqrs/grpc-kit';
import type { AggregateType, CommandExecutor } from '@cqrs/write-store';
import { eventMetadataOf, idempotencyKeyOf, toCommandAck, type CommandRequestFields } from './command-request';

/** One RPC's command through the executor: idempotency by request id, expected version, metadata from the call. */
export async function runCommand<State, Command, Event, Req extends CommandRequestFields>(
  executor: CommandExecutor,
  aggregate: AggregateType<State, Command, Event>,
  rpc: { readonly method: string; readonly request: Req; readonly encode: (request: Req) => Uint8Array },
  aggregateId: string,
  command: Command,
  context: RequestContext,
) {
  const { method, request, encode } = rpc;
  const result = await executor.execute(aggregate, {
    aggregateId,
    command,
    ...(request.expectedVersion !== undefined ? { expectedVersion: request.expectedVersion } : {}),
    idempotency: idempotencyKeyOf(method, request.requestId, encode({ ...request, requestId: '' })),
    metadata: eventMetadataOf(request.requestId, context),
    now: new Date(),
  });
  return { ack: toCommandAck(aggregate.streamType, result) };
}
