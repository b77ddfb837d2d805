import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { contractRegistry } from '@cqrs/contracts';

/** One RPC of the contract, as the fuzzer calls it. */
export interface FuzzMethod {
  readonly path: string;
  readonly input: DescMessage;
  readonly serverStreaming: boolean;
}

export interface FuzzCase {
  readonly method: FuzzMethod;
  /** What made this body, for the failure report. */
  readonly kind: string;
  readonly body: Uint8Array;
}

const SERVICES = ['catalog.v1.CommandService', 'catalog.v1.QueryService', 'orders.v1.CommandService', 'orders.v1.QueryService'];

const INT64_EDGES = [0n, 1n, -1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
const INT32_EDGES = [0, 1, -1, 20, 100, 101, 2 ** 31 - 1, -(2 ** 31)];
const UINT32_EDGES = [0, 1, 2 ** 32 - 1];

/** A small seeded generator (mulberry32): the same FUZZ_SEED gives the same requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every RPC of both contexts' command and query services. */
export function contractMethods(): FuzzMethod[] {
  return SERVICES.flatMap((name) => {
    const service = contractRegistry().getService(name);
    if (service === undefined) throw new Error(`${name} is not in the contract`);
    return service.methods.map((m) => ({
      path: `/${name}/${m.name}`,
      input: m.input,
      serverStreaming: m.methodKind === 'server_streaming',
    }));
  });
}

/**
 * The fuzz cases: first every scalar field (nested ones included) of every request at each of its
 * edge values and as a huge string, then random requests and byte-level mutations of them
 * (truncated, bytes flipped, random bytes, many repeated elements, unknown enum numbers).
 */
export function fuzzCases(methods: readonly FuzzMethod[], total: number, random: () => number, ids: readonly string[]): FuzzCase[] {
  const gen = new Generator(random, ids);
  const cases: FuzzCase[] = methods.flatMap((method) => gen.edgeCases(method));
  while (cases.length < total) {
    const method = gen.pick(methods);
    cases.push(gen.randomCase(method));
  }
  return cases;
}

class Generator {
  constructor(
    private readonly random: () => number,
    private readonly ids: readonly string[],
  ) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private int(max: number): number {
    return Math.floor(this.random() * max);
  }

  /** Each scalar and enum field, one at a time, at each edge value, beside an otherwise plausible request. */
  edgeCases(method: FuzzMethod): FuzzCase[] {
    const cases: FuzzCase[] = [];
    for (const [path, field] of scalarFields(method.input)) {
      for (const value of this.edgeValues(field)) {
        const writer = this.message(method.input, 0, { path, field, value });
        cases.push({ method, kind: `edge ${path}=${describe(value)}`, body: writer.finish() });
      }
    }
    return cases;
  }

  randomCase(method: FuzzMethod): FuzzCase {
    const valid = this.message(method.input, 0).finish();
    const roll = this.random();
    if (roll < 0.4) return { method, kind: 'random message', body: valid };
    if (roll < 0.5) return { method, kind: 'truncated', body: valid.subarray(0, this.int(Math.max(1, valid.length))) };
    if (roll < 0.6) {
      const flipped = Uint8Array.from(valid);
      for (let i = 0; i < 1 + this.int(4) && flipped.length > 0; i++) flipped[this.int(flipped.length)] = this.int(256);
      return { method, kind: 'bytes flipped', body: flipped };
    }
    if (roll < 0.7) return { method, kind: 'random bytes', body: Uint8Array.from({ length: this.int(64) + 1 }, () => this.int(256)) };
    if (roll < 0.8)
      return { method, kind: 'many repeated', body: this.message(method.input, 0, undefined, 1_000 + this.int(2_000)).finish() };
    if (roll < 0.9)
      return {
        method,
        kind: 'garbage appended',
        body: Uint8Array.from([...valid, ...Array.from({ length: 1 + this.int(8) }, () => this.int(256))]),
      };
    return { method, kind: 'twice concatenated', body: Uint8Array.from([...valid, ...valid]) };
  }

  private edgeValues(field: DescField): unknown[] {
    if (field.fieldKind === 'enum') return [0, 1, 7, 99, -1, 2 ** 31 - 1];
    switch (field.scalar) {
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return INT64_EDGES;
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return [0n, 1n, 2n ** 53n, 2n ** 64n - 1n];
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return INT32_EDGES;
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return UINT32_EDGES;
      case ScalarType.BOOL:
        return [true, false];
      case ScalarType.STRING:
        return ['', ' ', '\u0000', '😀'.repeat(300), 'x'.repeat(100_000), 'é'.repeat(20_000)];
      default:
        return [];
    }
  }

  /** A request: each field present or not, plausible values mostly, now and then an edge. */
  private message(
    desc: DescMessage,
    depth: number,
    forced?: { path: string; field: DescField; value: unknown },
    repeat = 0,
    prefix = '',
  ): BinaryWriter {
    const writer = new BinaryWriter();
    const oneofsDone = new Set<string>();
    for (const field of desc.fields) {
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      if (forced?.path === path) {
        writeValue(writer, field, forced.value);
        continue;
      }
      if (field.oneof !== undefined && (oneofsDone.has(field.oneof.name) || this.random() < 0.5)) continue;
      if (this.random() < (forced ? 0.5 : 0.35)) continue;
      if (field.oneof !== undefined) oneofsDone.add(field.oneof.name);
      const count = field.fieldKind === 'list' ? (repeat > 0 ? repeat : this.int(4)) : 1;
      for (let i = 0; i < count; i++) {
        if (field.message !== undefined) {
          if (depth < 4)
            writer
              .uint32((field.number << 3) | WireType.LengthDelimited)
              .bytes(this.message(field.message, depth + 1, forced, 0, path).finish());
        } else {
          writeValue(writer, field, this.plausible(field));
        }
      }
    }
    return writer;
  }

  private plausible(field: DescField): unknown {
    if (this.random() < 0.1) return this.pick(this.edgeValues(field));
    if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) return this.int(5);
    switch (field.scalar) {
      case ScalarType.STRING:
        return this.text(field.name);
      case ScalarType.BOOL:
        return this.random() < 0.5;
      case ScalarType.INT64:
      case ScalarType.UINT64:
      case ScalarType.SINT64:
        return BigInt(this.int(10) - 2);
      default:
        return this.int(30) - 3;
    }
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  private text(name: string): string {
    if (name.endsWith('_id') && name !== 'request_id')
      return this.random() < 0.8 && this.ids.length > 0 ? this.pick(this.ids) : this.uuid();
    if (name === 'currency_code') return this.pick(['EUR', 'USD', 'JPY', 'EURO', 'eur', '']);
    if (name === 'request_id') return this.random() < 0.5 ? '' : `fuzz-${this.int(50)}`;
    if (name === 'paths') return this.pick(['name', 'description', 'sku', '']);
    return this.pick(['', 'Espresso', 'Flat white', 'T1', 'crème brûlée', 'a b c', 'x'.repeat(300), 'ESP-1']);
  }
}

/** Every scalar or enum field reachable from a message (not through repeated messages), by proto path. */
function scalarFields(desc: DescMessage, prefix = '', depth = 0): Array<[string, DescField]> {
  return desc.fields.flatMap((field): Array<[string, DescField]> => {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
    if (field.fieldKind === 'scalar' || field.fieldKind === 'enum') return [[path, field]];
    if (field.fieldKind === 'message' && depth < 3) return scalarFields(field.message, path, depth + 1);
    return [];
  });
}

function writeValue(writer: BinaryWriter, field: DescField, value: unknown): void {
  const tag = (wireType: WireType) => writer.uint32((field.number << 3) | wireType);
  if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) {
    tag(WireType.Varint).int32(Number(value));
    return;
  }
  switch (field.scalar) {
    case ScalarType.STRING:
      tag(WireType.LengthDelimited).string(String(value));
      return;
    case ScalarType.BOOL:
      tag(WireType.Varint).bool(Boolean(value));
      return;
    case ScalarType.INT64:
      tag(WireType.Varint).int64(BigInt(value as bigint));
      return;
    case ScalarType.UINT64:
      tag(WireType.Varint).uint64(BigInt(value as bigint));
      return;
    case ScalarType.SINT64:
      tag(WireType.Varint).sint64(BigInt(value as bigint));
      return;
    case ScalarType.UINT32:
      tag(WireType.Varint).uint32(Number(value));
      return;
    case ScalarType.INT32:
      tag(WireType.Varint).int32(Number(value));
      return;
    default:
      // No other scalar types appear in requests; skip rather than guess an encoding.
      return;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 16 ? `"${value.slice(0, 8)}…"(${value.length} chars)` : JSON.stringify(value);
  return String(value);
}
