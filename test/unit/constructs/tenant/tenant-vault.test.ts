import { tenantOutputNames } from "../../../../constructs/tenant/tenant-vault";
import { only, synth } from "../kubernetes/support";
import { addresses, kubernetesLoginKeystore, tenant, tenantVault } from "./support";

describe("TenantVault", () => {
  test("GIVEN the Vault half alone WHEN synthesized THEN it has the keystore, identities and root password and no Kubernetes object", () => {
    const ids = addresses(synth((s) => tenantVault(s)));
    expect(ids.filter((a) => a.startsWith("kubernetes_"))).toEqual([]);
    for (const type of [
      "vault_policy",
      "vault_approle_auth_backend_role",
      "tls_locally_signed_cert",
      "random_password",
    ])
      expect(ids.some((a) => a.startsWith(`${type}.`))).toBe(true);
  });

  test("GIVEN the Vault half alone and a whole tenant WHEN synthesized THEN every resource of the half has the address it has in the whole tenant", () => {
    const half = addresses(synth((s) => tenantVault(s)));
    const whole = addresses(synth((s) => tenant(s)));
    expect(half).toEqual(whole.filter((a) => !a.startsWith("kubernetes_")));
    expect(half).toContainEqual(
      expect.stringMatching(/^random_password\.payments_MinioRootPassword_[0-9A-F]{8}$/),
    );
  });

  test("GIVEN a Kubernetes login with an auth mount WHEN the half is alone THEN its addresses are the whole tenant's less the workloads, and the mount has no reviewer JWT", () => {
    const half = synth((s) => tenantVault(s, { keystore: kubernetesLoginKeystore() }));
    const whole = synth((s) => tenant(s, { keystore: kubernetesLoginKeystore() }));
    expect(addresses(half)).toEqual(addresses(whole).filter((a) => !a.startsWith("kubernetes_")));
    expect(only(half, "vault_kubernetes_auth_backend_config").token_reviewer_jwt).toBeUndefined();
    expect(only(half, "vault_kubernetes_auth_backend_role")).toMatchObject({
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["payments"],
      audience: "vault",
    });
  });

  test("GIVEN the half alone WHEN synthesized THEN it has every output of the whole tenant, with the same values", () => {
    const half = synth((s) => tenantVault(s));
    const whole = synth((s) => tenant(s));
    expect(half.output).toEqual(whole.output);
    expect(half.output[tenantOutputNames("payments").keyServerEndpoints].value).toEqual([
      "https://keyserver.payments.svc.cluster.local:7373",
    ]);
  });

  test("GIVEN a key server and MinIO name, namespace and cluster domain WHEN built THEN the endpoints and the login binding follow them", () => {
    let half: ReturnType<typeof tenantVault> | undefined;
    const j = synth((s) => {
      half = tenantVault(s, {
        keystore: kubernetesLoginKeystore(),
        kubernetesNamespace: "storage",
        clusterDomain: "c.example",
        keyServer: { name: "kes" },
        minio: { name: "s3" },
      });
    });
    expect(half?.keyServerEndpoints).toEqual(["https://kes.storage.svc.c.example:7373"]);
    expect(half?.minioEndpoint).toBe("http://s3.storage.svc.c.example:9000");
    expect(only(j, "vault_kubernetes_auth_backend_role")).toMatchObject({
      bound_service_account_names: ["kes"],
      bound_service_account_namespaces: ["storage"],
    });
  });

  test("GIVEN an existing TLS Secret WHEN synthesized THEN no key server certificate is made and the key server's TLS is that Secret", () => {
    let half: ReturnType<typeof tenantVault> | undefined;
    const j = synth((s) => {
      half = tenantVault(s, { keyServer: { tlsSecretName: "keyserver-tls" } });
    });
    expect(addresses(j).filter((a) => /_Server(Cert|Csr|Key)_/.test(a))).toEqual([]);
    expect(half?.keyServerTls.secretName).toBe("keyserver-tls");
  });

  test("GIVEN outputs off WHEN synthesized THEN there is no output", () => {
    expect(synth((s) => tenantVault(s, { outputs: false })).output).toBeUndefined();
  });

  test("fails when the tenant name starts with a digit", () => {
    expect(() => synth((s) => tenantVault(s, {}, "1payments"))).toThrow(
      'tenantName "1payments" must be 1 to 32 characters of [a-z0-9-], starting with a letter and not ending with "-": e.g. "payments"',
    );
  });

  test("fails when the Kubernetes namespace is not a DNS label", () => {
    expect(() => synth((s) => tenantVault(s, { kubernetesNamespace: "Payments" }))).toThrow(
      'kubernetesNamespace "Payments" must be a DNS label',
    );
  });

  test("fails when the key server's name is not a DNS label, naming the tenant's field", () => {
    expect(() => synth((s) => tenantVault(s, { keyServer: { name: "Key_Server" } }))).toThrow(
      'keyServer.name "Key_Server" must be a DNS label of at most 52 characters ([a-z0-9-], starting and ending with a letter or digit): use e.g. "payments"',
    );
  });

  test("fails when MinIO's name is longer than its StatefulSet allows", () => {
    const name = "m".repeat(51);
    expect(() => synth((s) => tenantVault(s, { minio: { name } }))).toThrow(
      `minio.name "${name}" must be a DNS label of at most 50 characters`,
    );
  });

  test("fails when the default key is outside the key-name prefix", () => {
    expect(() => synth((s) => tenantVault(s, { defaultKeyName: "other-default" }))).toThrow(
      'defaultKeyName "other-default" does not start with keyNamePrefix "payments-", so MinIO\'s policy would forbid it: use e.g. "payments-default"',
    );
  });

  test("fails when an extra IP address of the key server is not one", () => {
    expect(() => synth((s) => tenantVault(s, { keyServer: { extraIpAddresses: ["localhost"] } }))).toThrow(
      'keyServer.extraIpAddresses[0] "localhost"',
    );
  });
});
