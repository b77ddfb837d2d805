import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { FieldViolation } from '@cqrs/errors';

const INT64_TYPES: ReadonlySet<ScalarType> = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** Deeper nesting than any contract message has: the walk stops there rather than recurse without end. */
const MAX_DEPTH = 32;
const OUT_OF_RANGE = `must be from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (a JavaScript safe integer)`;

/**
 * Why the bytes of a request do not decode into `message`, one violation per field at fault with
 * its proto path (`price.amount_minor`, `lines[2].quantity`): 64-bit integers beyond what the
 * generated code holds as a number, and the field where malformed bytes start. Reads the wire
 * format against the contract's descriptors, so it sees the values that made decoding fail.
 */
export function decodingViolations(bytes: Uint8Array, message: DescMessage): FieldViolation[] {
  const violations: FieldViolation[] = [];
  walk(new BinaryReader(bytes), bytes.length, message, '', 0, violations);
  return violations;
}

/** Returns false once the bytes are malformed (a violation says where); the rest cannot be read. */
function walk(reader: BinaryReader, end: number, message: DescMessage, path: string, depth: number, out: FieldViolation[]): boolean {
  const seen = new Map<number, number>();
  while (reader.pos < end) {
    let fieldNo: number;
    let wireType: WireType;
    try {
      [fieldNo, wireType] = reader.tag();
    } catch (err) {
      out.push({ field: path, description: `is not a valid ${message.typeName} (${reasonOf(err)} at byte ${reader.pos})` });
      return false;
    }
    const field = message.fields.find((f) => f.number === fieldNo);
    const index = seen.get(fieldNo) ?? 0;
    seen.set(fieldNo, index + 1);
    const fieldPath = field === undefined ? path : join(path, field.name, field.fieldKind === 'list' ? index : undefined);
    try {
      if (!readField(reader, field, wireType, fieldPath, depth, out)) return false;
    } catch (err) {
      const what = field === undefined ? `field number ${fieldNo} of ${message.typeName}` : 'the value';
      out.push({ field: fieldPath, description: `cannot be decoded: ${what} is malformed (${reasonOf(err)})` });
      return false;
    }
  }
  return true;
}

function readField(
  reader: BinaryReader,
  field: DescField | undefined,
  wireType: WireType,
  path: string,
  depth: number,
  out: FieldViolation[],
): boolean {
  if (field?.message !== undefined && field.fieldKind !== 'map' && wireType === WireType.LengthDelimited && depth < MAX_DEPTH) {
    const bytes = reader.bytes();
    return walk(new BinaryReader(bytes), bytes.length, field.message, path, depth + 1, out);
  }
  if (field?.scalar !== undefined && INT64_TYPES.has(field.scalar)) {
    if (wireType === WireType.LengthDelimited && field.fieldKind === 'list') {
      const bytes = reader.bytes();
      const packed = new BinaryReader(bytes);
      for (let i = 0; packed.pos < bytes.length; i++)
        checkInt64(read64(packed, field.scalar), `${path.replace(/\[\d+\]$/, '')}[${i}]`, out);
      return true;
    }
    if (wireType === wireTypeOf(field.scalar)) {
      checkInt64(read64(reader, field.scalar), path, out);
      return true;
    }
  }
  reader.skip(wireType);
  return true;
}

function wireTypeOf(scalar: ScalarType): WireType {
  return scalar === ScalarType.FIXED64 || scalar === ScalarType.SFIXED64 ? WireType.Bit64 : WireType.Varint;
}

function read64(reader: BinaryReader, scalar: ScalarType): bigint {
  switch (scalar) {
    case ScalarType.UINT64:
      return BigInt(reader.uint64());
    case ScalarType.SINT64:
      return BigInt(reader.sint64());
    case ScalarType.FIXED64:
      return BigInt(reader.fixed64());
    case ScalarType.SFIXED64:
      return BigInt(reader.sfixed64());
    default:
      return BigInt(reader.int64());
  }
}

function checkInt64(value: bigint, path: string, out: FieldViolation[]): void {
  if (value > MAX_SAFE || value < MIN_SAFE) out.push({ field: path, description: OUT_OF_RANGE });
}

function join(path: string, name: string, index: number | undefined): string {
  const segment = index === undefined ? name : `${name}[${index}]`;
  return path === '' ? segment : `${path}.${segment}`;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
