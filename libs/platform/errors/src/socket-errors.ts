const SOCKET_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True for a Node.js socket error (the peer went away, refused or timed out). Drivers usually wrap
 * these in their own classes, but not always: the MongoDB driver lets an EPIPE from a write on a
 * socket the server closed escape as a plain Error.
 */
export function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SOCKET_ERROR_CODES.has(code);
}
