import type { DescMessage } from '@bufbuild/protobuf';
import type {
  MethodDefinition,
  sendUnaryData,
  Server,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { contractRegistry } from '@cqrs/contracts';
import { ValidationError, type FieldViolation } from '@cqrs/errors';
import { decodingViolations } from './decoding-violations';
import { toServiceError } from './error-mapping';

/**
 * What a request that does not decode becomes instead of an exception: grpc-js answers INTERNAL
 * for anything its deserializer throws, before any handler or interceptor can map it, so the
 * deserializer hands this to the handler adapters, which refuse it with INVALID_ARGUMENT.
 */
export class UndecodableRequest {
  constructor(
    readonly typeName: string,
    readonly violations: readonly FieldViolation[],
  ) {}

  toError(): ValidationError {
    return new ValidationError(this.violations, { reason: 'UNDECODABLE_REQUEST', metadata: { message_type: this.typeName } });
  }
}

/**
 * Adds a service whose requests may not decode, ours and the libraries' (health, reflection) alike:
 * the deserializers become total and each unary or server-streaming handler refuses an
 * UndecodableRequest with INVALID_ARGUMENT before it runs.
 */
export function addTolerantService(
  server: Pick<Server, 'addService'>,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
): void {
  const guarded: UntypedServiceImplementation = {};
  // grpc-js matches a handler by the method's key or its originalName (e.g. `Check` or `check`).
  const methods = Object.entries(definition).flatMap(
    ([key, method]) =>
      [
        [key, method],
        [method.originalName ?? key, method],
      ] as const,
  );
  for (const [name, handler] of Object.entries(implementation)) {
    const method = methods.find(([key]) => key === name)?.[1];
    guarded[name] = method === undefined || method.requestStream ? handler : refusingUndecodable(handler, method.responseStream);
  }
  server.addService(withTolerantDeserializers(definition), guarded);
}

/** A server whose addService is addTolerantService, for libraries that register their own services. */
export function tolerantRegistrar(server: Server): Pick<Server, 'addService'> {
  return { addService: (definition, implementation) => addTolerantService(server, definition, implementation) };
}

function refusingUndecodable(handler: UntypedHandleCall, responseStream: boolean): UntypedHandleCall {
  if (responseStream) {
    return ((call: ServerWritableStream<unknown, unknown>) => {
      if (call.request instanceof UndecodableRequest) call.emit('error', toServiceError(call.request.toError()).error);
      else (handler as (call: ServerWritableStream<unknown, unknown>) => void)(call);
    }) as UntypedHandleCall;
  }
  return ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    if (call.request instanceof UndecodableRequest) callback(toServiceError(call.request.toError()).error);
    else (handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void)(call, callback);
  }) as UntypedHandleCall;
}

/** The service definition with every request deserializer made total: a failure becomes an UndecodableRequest. */
function withTolerantDeserializers(definition: ServiceDefinition): ServiceDefinition {
  const tolerant: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    const input = requestMessageOf(method.path);
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (err) {
          return undecodable(bytes, input, method.path, err);
        }
      },
    };
  }
  return tolerant;
}

function undecodable(bytes: Buffer, input: DescMessage | undefined, path: string, err: unknown): UndecodableRequest {
  const typeName = input?.typeName ?? `the request of ${path}`;
  const found = input === undefined ? [] : decodingViolations(bytes, input);
  const reason = err instanceof Error ? err.message : String(err);
  return new UndecodableRequest(
    typeName,
    found.length > 0 ? found : [{ field: '', description: `the request is not a valid ${typeName} (${reason})` }],
  );
}

/** The contract's descriptor of a method's request, from its path `/package.Service/Method`. */
function requestMessageOf(path: string): DescMessage | undefined {
  const [, service = '', method = ''] = path.split('/');
  return contractRegistry()
    .getService(service)
    ?.methods.find((m) => m.name === method)?.input;
}
