import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "../duration";
import { isIP } from "node:net";

export interface TenantIdentitiesProps {
  /** Name used in the certificates' common names, e.g. the tenant name. */
  readonly tenantName: string;
  /** DNS names the key server's certificate carries (every Service DNS name). */
  readonly keyServerDnsNames: string[];
  /**
   * IP addresses the key server's certificate also carries, e.g. "127.0.0.1" for a local run.
   * @default - none
   */
  readonly keyServerIpAddresses?: string[];
  /**
   * Create the tenant CA and the key server's certificate. Set false when the key server's certificate comes
   * from an existing Secret (e.g. cert-manager); MinIO's client certificate is then self-signed.
   * @default true
   */
  readonly createKeyServerCertificate?: boolean;
  /**
   * Lifetime of the tenant CA, in whole hours.
   * @default Duration.hours(87600) - 10 years
   */
  readonly caValidity?: Duration;
  /**
   * Lifetime of the key server and MinIO certificates, in whole hours.
   * @default Duration.hours(8760) - 1 year
   */
  readonly certificateValidity?: Duration;
  /**
   * An apply this long before a certificate expires replaces it (the pods roll on the change); whole hours.
   * @default Duration.days(30)
   */
  readonly earlyRenewal?: Duration;
}

/** The key server's TLS material (PEM tokens). */
export interface KeyServerTlsMaterial {
  readonly certPem: string;
  /** Sensitive token. */
  readonly keyPem: string;
  readonly caPem: string;
}

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A tenant's identities, created at apply time by the tls provider so no key material is ever in the
 * synthesized output: a tenant CA, the key server's certificate (a SAN for every Service DNS name) and MinIO's
 * client key and certificate. The key server's config names MinIO by its certificate file and computes the
 * identity itself (Terraform cannot hash a public key). Keys are ECDSA P-256. Private keys are in Terraform
 * state: protect the backend. Child ids are stable: CaKey, Ca, ServerKey, ServerCsr, ServerCert, MinioKey,
 * MinioCsr, MinioCert.
 * @see ../../docs/kubernetes.md#identities
 */
export class TenantIdentities extends Construct {
  /** The key server's certificate, key and CA; undefined when `createKeyServerCertificate` is false. */
  public readonly keyServerTls?: KeyServerTlsMaterial;
  /** The tenant CA certificate (PEM); undefined when `createKeyServerCertificate` is false. */
  public readonly caCertPem?: string;
  /** MinIO's client certificate (PEM). */
  public readonly minioClientCertPem: string;
  /** MinIO's client private key (PEM); a sensitive token. */
  public readonly minioClientKeyPem: string;

  /**
   * @throws Error when a DNS name or IP address is malformed, when there is no DNS name, or when a lifetime
   *   is not a whole number of hours or does not exceed the early-renewal window.
   */
  constructor(scope: Construct, id: string, props: TenantIdentitiesProps) {
    super(scope, id);
    if (props.keyServerDnsNames.length === 0) {
      throw new Error(
        "keyServerDnsNames [] is empty: MinIO verifies the key server by DNS name, pass the Service names, e.g. keyServer.keyServerDnsNames",
      );
    }
    for (const dns of props.keyServerDnsNames) {
      if (!Token.isUnresolved(dns) && (dns.length > 253 || !HOST.test(dns))) {
        throw new Error(
          `keyServerDnsNames entry ${JSON.stringify(dns)} is not a DNS name: use lowercase names like "keyserver.payments.svc"`,
        );
      }
    }
    for (const ip of props.keyServerIpAddresses ?? []) {
      if (!Token.isUnresolved(ip) && isIP(ip) === 0) {
        throw new Error(
          `keyServerIpAddresses entry ${JSON.stringify(ip)} is not an IP address: use e.g. "127.0.0.1"`,
        );
      }
    }
    const early = (props.earlyRenewal ?? Duration.days(30)).toHours("earlyRenewal");
    const caHours = (props.caValidity ?? Duration.hours(87_600)).toHours("caValidity");
    const certHours = (props.certificateValidity ?? Duration.hours(8_760)).toHours("certificateValidity");
    if (certHours <= early) {
      throw new Error(
        `certificateValidity ${certHours}h must exceed earlyRenewal ${early}h, or every apply would replace the certificates: raise the lifetime or lower the window`,
      );
    }
    if (caHours < certHours) {
      throw new Error(
        `caValidity ${caHours}h is shorter than certificateValidity ${certHours}h: the CA must outlive the certificates it signs`,
      );
    }
    const key = (keyId: string) => new PrivateKey(this, keyId, { algorithm: "ECDSA", ecdsaCurve: "P256" });
    const subject = (cn: string) => [{ commonName: cn, organization: "kes-vault-kit" }];

    const minioKey = key("MinioKey");
    this.minioClientKeyPem = minioKey.privateKeyPem;

    if (props.createKeyServerCertificate ?? true) {
      const caKey = key("CaKey");
      const ca = new SelfSignedCert(this, "Ca", {
        privateKeyPem: caKey.privateKeyPem,
        subject: subject(`${props.tenantName} key server CA`),
        isCaCertificate: true,
        validityPeriodHours: caHours,
        earlyRenewalHours: early,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        setSubjectKeyId: true,
      });
      const signed = (
        prefix: string,
        privateKeyPem: string,
        cn: string,
        uses: string[],
        dnsNames?: string[],
        ipAddresses?: string[],
      ) => {
        const csr = new CertRequest(this, `${prefix}Csr`, {
          privateKeyPem,
          subject: subject(cn),
          ...(dnsNames ? { dnsNames } : {}),
          ...(ipAddresses && ipAddresses.length > 0 ? { ipAddresses } : {}),
        });
        return new LocallySignedCert(this, `${prefix}Cert`, {
          certRequestPem: csr.certRequestPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          caCertPem: ca.certPem,
          validityPeriodHours: certHours,
          earlyRenewalHours: early,
          allowedUses: uses,
        });
      };
      const serverKey = key("ServerKey");
      const server = signed(
        "Server",
        serverKey.privateKeyPem,
        props.keyServerDnsNames[0],
        ["digital_signature", "key_encipherment", "server_auth"],
        props.keyServerDnsNames,
        props.keyServerIpAddresses,
      );
      const minio = signed("Minio", minioKey.privateKeyPem, `${props.tenantName} minio`, [
        "digital_signature",
        "key_encipherment",
        "client_auth",
      ]);
      this.caCertPem = ca.certPem;
      this.keyServerTls = { certPem: server.certPem, keyPem: serverKey.privateKeyPem, caPem: ca.certPem };
      this.minioClientCertPem = minio.certPem;
    } else {
      const minio = new SelfSignedCert(this, "MinioCert", {
        privateKeyPem: minioKey.privateKeyPem,
        subject: subject(`${props.tenantName} minio`),
        validityPeriodHours: certHours,
        earlyRenewalHours: early,
        allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
      });
      this.minioClientCertPem = minio.certPem;
    }
  }
}
