import { randomUUID } from 'node:crypto';
import { ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder, status as Status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from '@cqrs/logging';
import { REQUEST_ID_HEADER } from './request-context';

const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Gives every call a request id (the caller's x-request-id, or a new UUID), echoes it in the
 * response headers, and writes one access-log line per call with its status and duration.
 */
export function requestIdInterceptor(logger: Logger): ServerInterceptor {
  return (methodDescriptor, call) => {
    const started = process.hrtime.bigint();
    let requestId = '';
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        requestId = acceptRequestId(metadata.get(REQUEST_ID_HEADER)[0]);
        metadata.set(REQUEST_ID_HEADER, requestId);
        next(metadata);
      })
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendMetadata((metadata, next) => {
        metadata.set(REQUEST_ID_HEADER, requestId);
        next(metadata);
      })
      .withSendStatus((status, next) => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const code = Status[status.code] ?? String(status.code);
        const level = status.code === Status.INTERNAL || status.code === Status.UNKNOWN ? 'error' : 'info';
        logger[level]({ requestId, method: methodDescriptor.path, code, durationMs: Math.round(durationMs * 100) / 100 }, 'rpc');
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}

function acceptRequestId(raw: string | Buffer | undefined): string {
  const value = typeof raw === 'string' ? raw.trim() : '';
  return value.length > 0 && value.length <= MAX_REQUEST_ID_LENGTH && /^[\x21-\x7e]+$/.test(value) ? value : randomUUID();
}
