import { BinaryReader } from '@bufbuild/protobuf/wire';

/** A generated message type, as ts-proto writes its decoder. */
export interface MessageDecoder<T> {
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Decodes a message whose 64-bit integers may lie beyond ±(2^53 - 1), as events stored before the
 * domain bounded its numbers do. The generated decode (forceLong=number) throws on such a value, so
 * a stream holding one could never be loaded again; here it reads as ±Number.MAX_SAFE_INTEGER
 * instead, which is past every domain bound: the domain lets it go down, never up.
 */
export function decodeClamped<T>(message: MessageDecoder<T>, bytes: Uint8Array): T {
  return message.decode(new ClampingReader(bytes));
}

/** Generated decoders pass their reader on to nested messages, so the clamping reaches every level. */
class ClampingReader extends BinaryReader {
  override int64(): bigint {
    return clamp(super.int64());
  }
  override uint64(): bigint {
    return clamp(super.uint64());
  }
  override sint64(): bigint {
    return clamp(super.sint64());
  }
  override fixed64(): bigint {
    return clamp(super.fixed64());
  }
  override sfixed64(): bigint {
    return clamp(super.sfixed64());
  }
}

function clamp(value: bigint | string): bigint {
  const big = BigInt(value);
  return big > MAX ? MAX : big < MIN ? MIN : big;
}
