import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, handleServerStreamingCall, handleUnaryCall } from '@grpc/grpc-js';
import type { Logger } from '@cqrs/logging';
import { toServiceError } from './error-mapping';
import { REQUEST_ID_HEADER, type RequestContext } from './request-context';

export type UnaryHandler<Req, Res> = (request: Req, context: RequestContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (request: Req, send: (message: Res) => Promise<void>, context: RequestContext) => Promise<void>;

/**
 * The generated server interfaces extend grpc-js's UntypedServiceImplementation, whose index
 * signature would accept a misspelt handler name; this keeps only the declared methods.
 */
export type ServiceHandlers<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/** Adapts an async handler to grpc-js, mapping every thrown error in one place. */
export function unary<Req, Res>(logger: Logger, handler: UnaryHandler<Req, Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const context = contextOf(call, logger);
    handler(call.request, context).then(
      (response) => callback(null, response),
      (err: unknown) => callback(mapAndLog(err, context)),
    );
  };
}

/** Adapts an async server-streaming handler; `send` resolves once the message is flushed. */
export function serverStream<Req, Res>(logger: Logger, handler: ServerStreamHandler<Req, Res>): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const context = contextOf(call, logger);
    const send = (message: Res) =>
      new Promise<void>((resolve, reject) => {
        if (context.signal.aborted) return reject(context.signal.reason);
        call.write(message, (err?: Error | null) => (err ? reject(err) : resolve()));
      });
    handler(call.request, send, context).then(
      () => call.end(),
      (err: unknown) => {
        if (context.signal.aborted) return;
        // grpc-js sends a stream's error status from its 'error' event; destroy() would skip the
        // status, and the client would wait for it forever.
        call.emit('error', mapAndLog(err, context));
      },
    );
  };
}

function contextOf(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>, logger: Logger): RequestContext {
  const requestId = String(call.metadata.get(REQUEST_ID_HEADER)[0] ?? '');
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort(new Error('call cancelled by the client or its deadline')));
  return {
    requestId,
    logger: logger.child({ requestId, method: call.getPath() }),
    deadline: Number.isFinite(deadlineMs) ? deadlineMs : Infinity,
    metadata: call.metadata,
    signal: controller.signal,
  };
}

function mapAndLog(err: unknown, context: RequestContext) {
  const { error, expected } = toServiceError(err);
  if (expected) context.logger.debug({ err }, 'request refused');
  else context.logger.error({ err }, 'unexpected error');
  return error;
}
