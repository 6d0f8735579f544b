/**
 * The few protobuf wire-format primitives the key encoding needs (varints, length-delimited fields),
 * hand-written so the runtime bundles without a protobuf library.
 * @see https://protobuf.dev/programming-guides/encoding/
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const U64 = (1n << 64n) - 1n;

/** Appends protobuf fields to a growing buffer; field order is the caller's (ascending, as Go emits). */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private varint(v: bigint): void {
    let x = v & U64; // negative int64 values are sent as their 64-bit two's complement (10 bytes)
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.parts.push(Buffer.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** A varint field (uint32, int32, int64); proto3 omits zero, so callers skip zero values. */
  uint(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt(v));
    return this;
  }

  /** A length-delimited field (bytes, string, embedded message). */
  bytes(field: number, v: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(BigInt(v.length));
    this.parts.push(Buffer.from(v));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** One decoded field: varints as bigint (unsigned 64-bit), length-delimited fields as bytes. */
export type ProtoField =
  | { readonly field: number; readonly wire: typeof WIRE_VARINT; readonly value: bigint }
  | { readonly field: number; readonly wire: typeof WIRE_BYTES; readonly value: Uint8Array }
  | {
      readonly field: number;
      readonly wire: typeof WIRE_FIXED32 | typeof WIRE_FIXED64;
      readonly value: Uint8Array;
    };

/**
 * Splits a protobuf message into its fields (unknown fields included, in wire order).
 * @throws Error `protobuf: ...` on truncated input, over-long varints or unsupported wire types (groups).
 */
export function readProtoFields(b: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= b.length) throw new Error("protobuf: truncated varint");
      const byte = b[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & U64;
    }
    throw new Error("protobuf: varint longer than 10 bytes");
  };
  const take = (n: number): Uint8Array => {
    if (n > b.length - pos) throw new Error("protobuf: truncated field");
    const out = b.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < b.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Error("protobuf: invalid field number 0");
    switch (wire) {
      case WIRE_VARINT:
        fields.push({ field, wire, value: varint() });
        break;
      case WIRE_BYTES: {
        const len = varint();
        if (len > BigInt(b.length)) throw new Error("protobuf: truncated field");
        fields.push({ field, wire, value: take(Number(len)) });
        break;
      }
      case WIRE_FIXED64:
        fields.push({ field, wire, value: take(8) });
        break;
      case WIRE_FIXED32:
        fields.push({ field, wire, value: take(4) });
        break;
      default:
        throw new Error(`protobuf: unsupported wire type ${wire} for field ${field}`);
    }
  }
  return fields;
}

/** Reinterprets an unsigned 64-bit varint as int64 (two's complement). */
export function toInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}
