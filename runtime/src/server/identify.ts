/**
 * Who is calling: KES' identifyRequest. CA certificates are skipped; exactly one other certificate must
 * remain, and its identity is the hex SHA-256 of its SubjectPublicKeyInfo.
 * @see https://github.com/minio/kes/blob/master/auth.go
 */
import type { TLSSocket } from "node:tls";
import { identityOfCertificate } from "../auth/identity";
import { KesError } from "../errors";

/** A peer certificate as the TLS layer reports it. */
export interface PeerCertificate {
  /** DER bytes. */
  readonly raw: Buffer;
  /** True for a CA certificate (basic constraints CA:TRUE). */
  readonly ca: boolean;
}

/** 400 errors of the identification step, KES' exact texts. */
export const ErrNoTls = new KesError(400, "insecure connection: TLS is required");
export const ErrNoClientCert = new KesError(400, "tls: client certificate is required");
export const ErrManyClientCerts = new KesError(400, "tls: received more than one client certificate");

/**
 * The identity of the one non-CA certificate among `certs`.
 * @throws KesError 400 `tls: client certificate is required` when there is none, 400
 *   `tls: received more than one client certificate` when there are several.
 */
export function identify(certs: readonly PeerCertificate[]): string {
  const leaves = certs.filter((c) => !c.ca);
  if (leaves.length === 0) throw ErrNoClientCert;
  if (leaves.length > 1) throw ErrManyClientCerts;
  return identityOfCertificate(leaves[0].raw);
}

/**
 * The certificates the peer presented (leaf first, then the chain Node links to it), without duplicates.
 * Empty when the client sent none. Never throws.
 */
export function peerCertificates(socket: Pick<TLSSocket, "getPeerCertificate">): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  const seen = new Set<string>();
  let cur = socket.getPeerCertificate(true);
  while (cur && cur.raw && cur.raw.length > 0 && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    out.push({ raw: cur.raw, ca: cur.ca === true });
    cur = cur.issuerCertificate;
  }
  return out;
}
