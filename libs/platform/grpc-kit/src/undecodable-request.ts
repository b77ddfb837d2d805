import type { DescMessage } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { contractRegistry } from '@cqrs/contracts';
import { ValidationError, type FieldViolation } from '@cqrs/errors';
import { decodingViolations } from './decoding-violations';

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

/** The service definition with every request deserializer made total: a failure becomes an UndecodableRequest. */
export function withTolerantDeserializers(definition: ServiceDefinition): ServiceDefinition {
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
  return new UndecodableRequest(typeName, found.length > 0 ? found : [{ field: '', description: `the request is not a valid ${typeName} (${reason})` }]);
}

/** The contract's descriptor of a method's request, from its path `/package.Service/Method`. */
function requestMessageOf(path: string): DescMessage | undefined {
  const [, service = '', method = ''] = path.split('/');
  return contractRegistry()
    .getService(service)
    ?.methods.find((m) => m.name === method)?.input;
}
