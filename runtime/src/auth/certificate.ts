/**
 * Self-signed X.509 v3 certificates (Ed25519 or ECDSA P-256) for `server --dev` and `identity new --cert`,
 * encoded by hand with der.ts: Node parses certificates but cannot create them.
 * @see https://www.rfc-editor.org/rfc/rfc5280
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";
import { isIP } from "node:net";
import * as der from "./der";

/** Extended key usages a certificate may carry. */
export type ExtKeyUsage = "serverAuth" | "clientAuth";

/** What to put into a self-signed certificate. */
export interface SelfSignedCertificateOptions {
  /** Ed25519 or ECDSA P-256 private key; its public half is certified and it signs the certificate. */
  readonly privateKey: KeyObject;
  /** Subject and issuer common name. */
  readonly commonName: string;
  /**
   * DNS subject alternative names.
   * @default - none
   */
  readonly dnsNames?: readonly string[];
  /**
   * IPv4/IPv6 subject alternative names.
   * @default - none
   */
  readonly ipAddresses?: readonly string[];
  /**
   * Extended key usages.
   * @default ["serverAuth", "clientAuth"]
   */
  readonly extKeyUsage?: readonly ExtKeyUsage[];
  /**
   * Start of validity.
   * @default - now
   */
  readonly notBefore?: Date;
  /**
   * Validity period in milliseconds.
   * @default 30 days (720 h, as `kes identity new`)
   */
  readonly validityMs?: number;
}

/** A certificate in both encodings. */
export interface EncodedCertificate {
  readonly der: Buffer;
  readonly pem: string;
}

const OID = {
  ed25519: "1.3.101.112",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/**
 * The 4 or 16 bytes of an IP address.
 * @throws Error when `ip` is not an IPv4 or IPv6 address.
 */
export function ipAddressBytes(ip: string): Buffer {
  const kind = isIP(ip);
  if (kind === 4) return Buffer.from(ip.split(".").map(Number));
  if (kind !== 6)
    throw new Error(`ip address "${ip}" is not an IPv4 or IPv6 address: use e.g. 127.0.0.1 or ::1`);
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    const b = v4[1].split(".").map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    text = text.slice(0, -v4[1].length).replace(/:$/, "") || ":";
    if (text.endsWith(":") && !text.endsWith("::")) text += ":";
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (s: string | undefined) =>
    s
      ? s
          .split(":")
          .filter((x) => x !== "")
          .map((h) => parseInt(h, 16))
      : [];
  const h = parse(head);
  const r = parse(rest);
  const fill = 8 - tail.length - h.length - r.length;
  const words =
    rest === undefined ? [...h, ...tail] : [...h, ...new Array<number>(fill).fill(0), ...r, ...tail];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function signatureAlgorithm(key: KeyObject): { oid: string; hash: string | null } {
  if (key.asymmetricKeyType === "ed25519") return { oid: OID.ed25519, hash: null };
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return { oid: OID.ecdsaWithSha256, hash: "sha256" };
  }
  throw new Error(
    `certificate private key type "${key.asymmetricKeyType}" is not supported: use an Ed25519 or ECDSA P-256 key`,
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? der.sequence(der.oid(id), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(id), der.octetString(value));
}

function name(cn: string): Buffer {
  return der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.utf8String(cn))));
}

/**
 * Creates a self-signed X.509 v3 certificate: random positive 128-bit serial, CN = `commonName` for subject
 * and issuer, key usage digitalSignature (all Ed25519/ECDSA TLS needs), the given extended key usages,
 * basic constraints CA=false, SANs and a subject key identifier.
 * @throws Error when the key is neither Ed25519 nor ECDSA P-256, or an IP SAN is malformed.
 */
export function createSelfSignedCertificate(opts: SelfSignedCertificateOptions): EncodedCertificate {
  const alg = signatureAlgorithm(opts.privateKey);
  const algId = der.sequence(der.oid(alg.oid));
  const spki = createPublicKeyDer(opts.privateKey);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  if (serial[0] === 0) serial[0] = 0x01;
  const notBefore = opts.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + (opts.validityMs ?? 720 * 3600 * 1000));
  const eku = opts.extKeyUsage ?? ["serverAuth", "clientAuth"];

  const sans: Buffer[] = [
    ...(opts.dnsNames ?? []).map((d) => der.implicitPrimitive(2, Buffer.from(d, "ascii"))),
    ...(opts.ipAddresses ?? []).map((ip) => der.implicitPrimitive(7, ipAddressBytes(ip))),
  ];
  const spkiBitString = spkiPublicKeyBits(spki);
  const extensions: Buffer[] = [
    extension(OID.keyUsage, true, der.bitString(Buffer.from([0x80]), 7)),
    ...(eku.length > 0
      ? [extension(OID.extKeyUsage, false, der.sequence(...eku.map((u) => der.oid(OID[u]))))]
      : []),
    extension(OID.basicConstraints, true, der.sequence()),
    extension(
      OID.subjectKeyIdentifier,
      false,
      der.octetString(createHash("sha1").update(spkiBitString).digest()),
    ),
    ...(sans.length > 0 ? [extension(OID.subjectAltName, false, der.sequence(...sans))] : []),
  ];

  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    algId,
    name(opts.commonName),
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name(opts.commonName),
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign(alg.hash, tbs, opts.privateKey);
  const cert = der.sequence(tbs, algId, der.bitString(signature));
  return { der: cert, pem: toPem("CERTIFICATE", cert) };
}

function createPublicKeyDer(privateKey: KeyObject): Buffer {
  return Buffer.from(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
}

/** The subjectPublicKey BIT STRING contents (without the unused-bits byte) of a DER SPKI. */
function spkiPublicKeyBits(spki: Buffer): Buffer {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }: the key is the tail after the bit string header.
  const outerHeader = spki[1] & 0x80 ? 2 + (spki[1] & 0x7f) : 2;
  const algLen = spki[outerHeader + 1];
  let p = outerHeader + 2 + algLen; // at the BIT STRING tag
  const lenByte = spki[p + 1];
  p += lenByte & 0x80 ? 2 + (lenByte & 0x7f) : 2;
  return spki.subarray(p + 1);
}

/** PEM armour around DER bytes, 64 characters a line. */
export function toPem(label: string, derBytes: Uint8Array): string {
  const b64 = Buffer.from(derBytes).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Key types `generateCertificateKey` creates. */
export type CertificateKeyType = "ed25519" | "ecdsa-p256";

/** A new private key for a certificate. Never throws. */
export function generateCertificateKey(type: CertificateKeyType): KeyObject {
  return type === "ed25519"
    ? generateKeyPairSync("ed25519").privateKey
    : generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}
