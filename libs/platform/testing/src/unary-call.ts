import { Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';

/** The (request, metadata, options, callback) overload every generated unary client method has. */
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

export interface CallOutcome<Res> {
  readonly response?: Res;
  readonly error?: ServiceError;
}

/** Calls a generated client's unary method; resolves with the response or the error, never rejects. */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  headers: Record<string, string> = {},
  options: Partial<CallOptions> = { deadline: Date.now() + 30_000 },
): Promise<CallOutcome<Res>> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return new Promise((resolve) => {
    method(request, metadata, options, (error, response) => resolve(error ? { error } : { response }));
  });
}
