/**
 * KES identities: the lowercase hex SHA-256 of a certificate's DER SubjectPublicKeyInfo, exactly as it
 * appears in the certificate; and KES API keys (`kes:v1:` + base64 of 0x00 || Ed25519 seed), whose
 * identity is the same hash over the Ed25519 public key's SPKI.
 * @see https://github.com/minio/kes/blob/master/auth.go (identifyRequest)
 * @see https://github.com/minio/kms-go/blob/main/kes/apikey.go
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { isStdBase64 } from "../crypto/base64";

const API_KEY_PREFIX = "kes:v1:";
const API_KEY_TYPE_ED25519 = 0x00;
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** One DER element: tag, where its content starts and where the element ends. */
interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new Error("invalid certificate: truncated DER element");
  const tag = der[pos];
  let len = der[pos + 1];
  let contentStart = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || contentStart + n > limit)
      throw new Error("invalid certificate: unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[contentStart + i];
    contentStart += n;
  }
  const end = contentStart + len;
  if (end > limit) throw new Error("invalid certificate: DER element overruns its container");
  return { tag, start: pos, contentStart, end };
}

function sequence(der: Uint8Array, pos: number, limit: number, what: string): Tlv {
  const tlv = readTlv(der, pos, limit);
  if (tlv.tag !== 0x30) throw new Error(`invalid certificate: ${what} is not a DER SEQUENCE`);
  return tlv;
}

/**
 * The DER SubjectPublicKeyInfo of an X.509 certificate, sliced out of the certificate bytes unchanged.
 * @throws Error `invalid certificate: ...` when `der` is not a DER X.509 certificate.
 */
export function subjectPublicKeyInfoOf(der: Uint8Array): Uint8Array {
  const cert = sequence(der, 0, der.length, "certificate");
  const tbs = sequence(der, cert.contentStart, cert.end, "tbsCertificate");
  let pos = tbs.contentStart;
  const first = readTlv(der, pos, tbs.end);
  if (first.tag === 0xa0) pos = first.end; // [0] EXPLICIT version, absent for v1 certificates
  // serialNumber, signature, issuer, validity, subject; then subjectPublicKeyInfo
  for (let i = 0; i < 5; i++) pos = readTlv(der, pos, tbs.end).end;
  const spki = sequence(der, pos, tbs.end, "subjectPublicKeyInfo");
  return der.subarray(spki.start, spki.end);
}

/** Lowercase hex SHA-256 of `spki` (DER): the identity of its key. Never throws. */
export function identityOfSpki(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("hex");
}

/**
 * The KES identity of a DER certificate.
 * @throws Error `invalid certificate: ...` when `der` is not a DER X.509 certificate.
 */
export function identityOfCertificate(der: Uint8Array): string {
  return identityOfSpki(subjectPublicKeyInfoOf(der));
}

/**
 * The KES identity of the first CERTIFICATE block of a PEM text (as `kes identity of <file>` does).
 * @throws Error `no CERTIFICATE block in PEM ...` when there is none; `invalid certificate: ...` when it
 *   does not parse.
 */
export function identityOfPem(pem: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m)
    throw new Error(
      "no CERTIFICATE block in PEM: expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----",
    );
  return identityOfCertificate(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

/** A new random API key, `kes:v1:` + base64(0x00 || 32-byte Ed25519 seed). Never throws. */
export function newApiKey(): string {
  const raw = Buffer.concat([Buffer.from([API_KEY_TYPE_ED25519]), randomBytes(32)]);
  const key = API_KEY_PREFIX + raw.toString("base64");
  raw.fill(0);
  return key;
}

/** A parsed API key. */
export interface ApiKey {
  /** The 32-byte Ed25519 seed (RFC 8032 private key). */
  readonly seed: Buffer;
  /** The Ed25519 private key, for signing a client certificate. */
  readonly privateKey: KeyObject;
  /** Its identity (lowercase hex). */
  readonly identity: string;
}

/**
 * Parses a `kes:v1:` API key.
 * @throws Error `invalid api key: ...` saying what is wrong (prefix, base64, length, key type); the key
 *   itself is never included in the message.
 */
export function parseApiKey(key: string): ApiKey {
  if (!key.startsWith(API_KEY_PREFIX)) {
    throw new Error(
      `invalid api key: it must start with "${API_KEY_PREFIX}"; create one with "kes identity new"`,
    );
  }
  const b64 = key.slice(API_KEY_PREFIX.length);
  if (!isStdBase64(b64)) {
    throw new Error(`invalid api key: the part after "${API_KEY_PREFIX}" must be padded standard base64`);
  }
  const raw = Buffer.from(b64, "base64");
  if (raw.length !== 33) {
    throw new Error(`invalid api key: it must decode to 33 bytes (type + 32-byte seed), got ${raw.length}`);
  }
  if (raw[0] !== API_KEY_TYPE_ED25519) {
    throw new Error(`invalid api key: key type ${raw[0]} is not supported; only 0 (Ed25519) is`);
  }
  const seed = Buffer.from(raw.subarray(1));
  raw.fill(0);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { seed, privateKey, identity: identityOfSpki(spki) };
}

/**
 * The identity of a `kes:v1:` API key (as `kes identity of <key>` prints it).
 * @throws Error `invalid api key: ...` as parseApiKey.
 */
export function identityOfApiKey(key: string): string {
  return parseApiKey(key).identity;
}
