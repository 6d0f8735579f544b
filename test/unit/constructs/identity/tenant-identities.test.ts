import { Duration } from "../../../../constructs/duration";
import {
  TenantIdentities,
  type TenantIdentitiesProps,
} from "../../../../constructs/identity/tenant-identities";
import { only, resources, synth, type Json } from "../kubernetes/support";
import type { TerraformStack } from "cdktf";

const dnsNames = [
  "keyserver",
  "keyserver.payments",
  "keyserver.payments.svc",
  "keyserver.payments.svc.cluster.local",
];
const identities = (s: TerraformStack, over: Partial<TenantIdentitiesProps> = {}) =>
  new TenantIdentities(s, "Identities", { tenantName: "payments", keyServerDnsNames: dnsNames, ...over });

describe("TenantIdentities", () => {
  test("GIVEN defaults WHEN synthesized THEN a CA, the key server certificate and MinIO's client certificate are created by the tls provider", () => {
    const j = synth((s) => identities(s));
    expect(Object.keys(resources(j, "tls_private_key"))).toHaveLength(3);
    expect(only(j, "tls_self_signed_cert").is_ca_certificate).toBe(true);
    expect(Object.keys(resources(j, "tls_locally_signed_cert"))).toHaveLength(2);
  });

  test("GIVEN the Service DNS names WHEN synthesized THEN the key server's request carries all of them as SANs", () => {
    const csrs = Object.values(
      resources(
        synth((s) => identities(s)),
        "tls_cert_request",
      ),
    );
    expect(csrs.find((c) => c.dns_names)?.dns_names).toEqual(dnsNames);
  });

  test("GIVEN an extra IP address WHEN synthesized THEN the key server's request carries it", () => {
    const csrs = Object.values(
      resources(
        synth((s) => identities(s, { keyServerIpAddresses: ["127.0.0.1"] })),
        "tls_cert_request",
      ),
    );
    expect(csrs.find((c) => c.dns_names)?.ip_addresses).toEqual(["127.0.0.1"]);
  });

  test("GIVEN the certificates WHEN synthesized THEN the server one is for server auth and MinIO's for client auth", () => {
    const uses = Object.values(
      resources(
        synth((s) => identities(s)),
        "tls_locally_signed_cert",
      ),
    ).map((c: Json) => c.allowed_uses);
    expect(uses).toEqual(
      expect.arrayContaining([
        expect.arrayContaining(["server_auth"]),
        expect.arrayContaining(["client_auth"]),
      ]),
    );
  });

  test("GIVEN keys WHEN synthesized THEN they are ECDSA P-256 and only referenced, never written", () => {
    const j = synth((s) => identities(s));
    for (const k of Object.values(resources(j, "tls_private_key")))
      expect(k).toEqual({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    expect(JSON.stringify(j)).not.toContain("BEGIN");
  });

  test("GIVEN an existing key server certificate WHEN synthesized THEN only MinIO's key and a self-signed client certificate are made", () => {
    let ids: TenantIdentities | undefined;
    const j = synth((s) => (ids = identities(s, { createKeyServerCertificate: false })));
    expect(Object.keys(resources(j, "tls_private_key"))).toHaveLength(1);
    expect(only(j, "tls_self_signed_cert").allowed_uses).toContain("client_auth");
    expect(ids!.keyServerTls).toBeUndefined();
  });

  test("fails when there is no DNS name", () => {
    expect(() => synth((s) => identities(s, { keyServerDnsNames: [] }))).toThrow(
      "keyServerDnsNames [] is empty",
    );
  });

  test("fails when a DNS name has an underscore", () => {
    expect(() => synth((s) => identities(s, { keyServerDnsNames: ["key_server"] }))).toThrow(
      'keyServerDnsNames entry "key_server" is not a DNS name',
    );
  });

  test("fails when an IP address is malformed", () => {
    expect(() => synth((s) => identities(s, { keyServerIpAddresses: ["127.0.0"] }))).toThrow(
      'keyServerIpAddresses entry "127.0.0" is not an IP address',
    );
  });

  test("fails when certificates would be renewed on every apply", () => {
    expect(() =>
      synth((s) =>
        identities(s, { certificateValidity: Duration.hours(100), earlyRenewal: Duration.hours(200) }),
      ),
    ).toThrow("certificateValidity 100h must exceed earlyRenewal 200h");
  });

  test("fails when the CA expires before the certificates", () => {
    expect(() =>
      synth((s) =>
        identities(s, {
          caValidity: Duration.hours(1000),
          certificateValidity: Duration.hours(2000),
          earlyRenewal: Duration.hours(10),
        }),
      ),
    ).toThrow("caValidity 1000h is shorter than certificateValidity 2000h");
  });

  test("fails when a lifetime is not a whole number of hours", () => {
    expect(() => synth((s) => identities(s, { caValidity: Duration.minutes(90) }))).toThrow(
      "caValidity 90m is not a whole number of hours, which the tls provider counts in: use e.g. Duration.hours(2)",
    );
  });

  test("GIVEN lifetimes in days WHEN synthesized THEN the tls provider gets hours", () => {
    const json = synth((s) =>
      identities(s, { certificateValidity: Duration.days(90), earlyRenewal: Duration.days(10) }),
    );
    const certs = Object.values((json.resource as Json).tls_locally_signed_cert as Record<string, Json>);
    expect(certs.map((c) => [c.validity_period_hours, c.early_renewal_hours])).toContainEqual([2160, 240]);
  });
});
