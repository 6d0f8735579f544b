/**
 * A minimal DER (X.690) encoder: just the types an X.509 certificate needs. Node can parse certificates
 * (X509Certificate) but not build them, so the server's self-signed certificates are encoded here.
 */

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: `tag`, the DER length of `content`, `content`. Never throws. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** SEQUENCE of already-encoded items. */
export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** SET of already-encoded items (caller keeps DER order; a certificate only needs one-element sets). */
export function set(...items: Uint8Array[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** BOOLEAN. */
export function boolean(v: boolean): Buffer {
  return tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
}

/**
 * INTEGER from a non-negative number or big-endian unsigned bytes, in minimal two's complement form.
 * @throws RangeError for a negative or non-integer number.
 */
export function integer(v: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`der integer ${v} must be a non-negative safe integer`);
    const hex = v.toString(16);
    bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  } else {
    bytes = Buffer.from(v);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/**
 * OBJECT IDENTIFIER from dotted form (`1.3.101.112`).
 * @throws RangeError when the text is not a valid OID.
 */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a))
      throw new RangeError(`der oid "${dotted}" must be dotted decimal, e.g. 1.3.101.112`);
    return Number(a);
  });
  if (arcs.length < 2 || arcs[0] > 2) throw new RangeError(`der oid "${dotted}" must have at least two arcs`);
  const out: number[] = [];
  const push = (n: number) => {
    const groups = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Buffer.from(out));
}

/** BIT STRING with `unusedBits` (0-7) padding bits in the last byte. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Buffer {
  return tlv(0x04, bytes);
}

/** UTF8String. */
export function utf8String(s: string): Buffer {
  return tlv(0x0c, Buffer.from(s, "utf8"));
}

/**
 * A certificate time: UTCTime for the years 1950-2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5),
 * to the second.
 */
export function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, "ascii"));
  return tlv(0x18, Buffer.from(`${p(y, 4)}${rest}`, "ascii"));
}

/** `[n] EXPLICIT` wrapper around an encoded value. */
export function explicit(n: number, content: Uint8Array): Buffer {
  return tlv(0xa0 | n, content);
}

/** `[n] IMPLICIT` primitive value (e.g. a GeneralName dNSName [2] or iPAddress [7]). */
export function implicitPrimitive(n: number, bytes: Uint8Array): Buffer {
  return tlv(0x80 | n, bytes);
}
