import { Token } from "cdktf";

/** PEM material of the key server's TLS, usually tokens from tls_* resources (apply time). */
export interface KeyServerTlsPem {
  /** Server certificate (PEM) with a SAN for every Service DNS name. */
  readonly certPem: string;
  /** Server private key (PEM); a sensitive token. */
  readonly keyPem: string;
  /** CA certificate that signed `certPem` (PEM): MinIO verifies the key server with it. */
  readonly caPem: string;
}

/** Keys of an existing TLS Secret. */
export interface KeyServerTlsSecretKeys {
  /** @default "tls.crt" */
  readonly cert?: string;
  /** @default "tls.key" */
  readonly key?: string;
  /** @default "ca.crt" */
  readonly ca?: string;
}

/**
 * Where the key server's certificate comes from: PEM values the stack creates (tls provider, at apply time)
 * and the kit puts in the key server's Secret, or an existing Secret in the same namespace, e.g. one that
 * cert-manager keeps (keys tls.crt, tls.key, ca.crt).
 */
export class KeyServerTls {
  /** PEM values, normally tokens of tls_* resources; never literals read at synth time. */
  public static fromPem(pem: KeyServerTlsPem): KeyServerTls {
    return new KeyServerTls(pem, undefined, { cert: "tls.crt", key: "tls.key", ca: "ca.crt" });
  }

  /**
   * An existing Secret (type kubernetes.io/tls with a CA entry, as cert-manager writes it).
   * @throws Error when `secretName` is not a DNS subdomain name.
   */
  public static fromSecret(secretName: string, keys: KeyServerTlsSecretKeys = {}): KeyServerTls {
    if (!Token.isUnresolved(secretName) && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName)) {
      throw new Error(
        `tls secretName ${JSON.stringify(secretName)} is not a Kubernetes Secret name: use e.g. "keyserver-tls"`,
      );
    }
    return new KeyServerTls(undefined, secretName, {
      cert: keys.cert ?? "tls.crt",
      key: keys.key ?? "tls.key",
      ca: keys.ca ?? "ca.crt",
    });
  }

  private constructor(
    /** PEM values to put in the kit's Secret; undefined for an existing Secret. */
    public readonly pem: KeyServerTlsPem | undefined,
    /** Name of the existing Secret; undefined when the kit's Secret carries the PEM values. */
    public readonly secretName: string | undefined,
    /** Keys of cert, key and CA in whichever Secret holds them. */
    public readonly keys: Required<KeyServerTlsSecretKeys>,
  ) {}
}
