import { credentials, makeGenericClientConstructor, Metadata, status as Status, type Client, type ServiceError } from '@grpc/grpc-js';

/** How one raw call ended. */
export interface RawOutcome {
  readonly code: Status;
  readonly details: string;
  /** The answer's trailers (grpc-status-details-bin among them). */
  readonly metadata: Metadata;
  /** Bytes of the response message, for a unary call that succeeded. */
  readonly response?: Buffer;
  readonly elapsedMs: number;
}

const identity = (bytes: Buffer) => bytes;

/** A grpc-js client that sends request bodies as given, bytes in and bytes out, on one channel. */
export function rawClient(port: number): Client {
  const Raw = makeGenericClientConstructor({}, 'Raw');
  return new Raw(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
}

export function rawUnary(
  client: Client,
  path: string,
  body: Uint8Array,
  deadlineMs: number,
  headers: Record<string, string> = {},
): Promise<RawOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      Buffer.from(body),
      metadataOf(headers),
      { deadline: started + deadlineMs },
      (error: ServiceError | null, response?: Buffer) =>
        resolve(
          error
            ? { code: error.code, details: error.details, metadata: error.metadata, elapsedMs: Date.now() - started }
            : {
                code: Status.OK,
                details: '',
                metadata: new Metadata(),
                ...(response ? { response } : {}),
                elapsedMs: Date.now() - started,
              },
        ),
    );
  });
}

/** Reads a server stream until its status (a watch that stays open ends at the deadline). */
export function rawServerStream(
  client: Client,
  path: string,
  body: Uint8Array,
  deadlineMs: number,
  headers: Record<string, string> = {},
): Promise<RawOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, Buffer.from(body), metadataOf(headers), {
      deadline: started + deadlineMs,
    });
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (s) => resolve({ code: s.code, details: s.details, metadata: s.metadata, elapsedMs: Date.now() - started }));
  });
}

function metadataOf(headers: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
