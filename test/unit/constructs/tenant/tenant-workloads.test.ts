import { PodSecurityLevel } from "../../../../constructs/kubernetes/pod-security-level";
import { TenantVault } from "../../../../constructs/tenant/tenant-vault";
import { TenantWorkloads, type TenantWorkloadsProps } from "../../../../constructs/tenant/tenant-workloads";
import { fixtureRuntime, only, resources, synth, type Json } from "../kubernetes/support";
import { addresses, kubernetesLoginKeystore, tenant, tenantVault } from "./support";

/** A Vault half and its workloads composed by hand, side by side in the stack (ids "payments" and "workloads"). */
function composed(
  over: Partial<TenantWorkloadsProps> = {},
  vault: (s: Parameters<typeof tenantVault>[0]) => TenantVault = (s) => tenantVault(s),
): Json {
  return synth((s) => {
    new TenantWorkloads(s, "workloads", {
      vault: vault(s),
      vaultEndpoint: "https://vault.vault.svc:8200",
      ...over,
      keyServer: { runtime: fixtureRuntime(), ...over.keyServer },
    });
  });
}

const statefulSetEnv = (j: Json): Record<string, Json> =>
  Object.fromEntries(
    only(j, "kubernetes_stateful_set_v1").spec.template.spec.container[0].env.map((e: Json) => [e.name, e]),
  );

describe("TenantWorkloads", () => {
  test("GIVEN a Vault half and its workloads WHEN synthesized THEN the workloads hold every Kubernetes object and the half every other resource", () => {
    const j = composed();
    const ids = addresses(j);
    expect(ids.filter((a) => a.startsWith("kubernetes_")).every((a) => /\.workloads_/.test(a))).toBe(true);
    expect(ids.filter((a) => !a.startsWith("kubernetes_")).every((a) => /\.payments_/.test(a))).toBe(true);
    // The same objects as the whole tenant's, under the workloads' own id.
    const whole = addresses(synth((s) => tenant(s)));
    expect(ids.map((a) => a.replace(/\.workloads_/, ".payments_").replace(/_[0-9A-F]{8}$/, ""))).toEqual(
      whole.map((a) => a.replace(/_[0-9A-F]{8}$/, "")),
    );
  });

  test("GIVEN a Vault half WHEN its workloads are built THEN MinIO uses the half's default key, root password and names", () => {
    const j = composed({}, (s) => tenantVault(s, { kubernetesNamespace: "storage", minio: { name: "s3" } }));
    const env = statefulSetEnv(j);
    expect(env.MINIO_KMS_KES_KEY_NAME.value).toBe("payments-default");
    expect(env.MINIO_KMS_KES_ENDPOINT.value).toBe("https://keyserver.storage.svc.cluster.local:7373");
    expect(JSON.stringify(env.MINIO_ROOT_PASSWORD ?? {})).not.toContain("payments");
    const sts = only(j, "kubernetes_stateful_set_v1");
    expect(sts.metadata).toMatchObject({ name: "s3", namespace: "storage" });
    expect(JSON.stringify(j.resource.kubernetes_secret_v1)).toMatch(
      /random_password\.payments_MinioRootPassword_[0-9A-F]{8}\.result/,
    );
  });

  test("GIVEN the half's Kubernetes auth mount without a reviewer JWT WHEN the workloads are built THEN they create the reviewer and give its token to the mount's config", () => {
    const j = composed({}, (s) => tenantVault(s, { keystore: kubernetesLoginKeystore() }));
    expect(only(j, "vault_kubernetes_auth_backend_config").token_reviewer_jwt).toMatch(
      /^\$\{kubernetes_secret_v1\.workloads_TokenReviewerToken_[0-9A-F]+\.data\.token\}$/,
    );
    expect(
      Object.values(resources(j, "kubernetes_service_account_v1")).map((a) => a.metadata.name),
    ).toContain("keyserver-token-reviewer");
    expect(only(j, "kubernetes_cluster_role_binding_v1").role_ref).toMatchObject({
      name: "system:auth-delegator",
    });
  });

  test("GIVEN the half's Kubernetes auth mount with a reviewer JWT WHEN the workloads are built THEN no reviewer is created and the JWT stays", () => {
    const j = composed({}, (s) => tenantVault(s, { keystore: kubernetesLoginKeystore("given-jwt") }));
    expect(only(j, "vault_kubernetes_auth_backend_config").token_reviewer_jwt).toBe("given-jwt");
    expect(resources(j, "kubernetes_cluster_role_binding_v1")).toEqual({});
  });

  test("GIVEN a created namespace WHEN synthesized THEN every namespaced object, the reviewer's included, depends on it", () => {
    const j = composed({}, (s) => tenantVault(s, { keystore: kubernetesLoginKeystore() }));
    const ns = `kubernetes_namespace_v1.${Object.keys(resources(j, "kubernetes_namespace_v1"))[0]}`;
    for (const type of [
      "kubernetes_deployment_v1",
      "kubernetes_stateful_set_v1",
      "kubernetes_service_account_v1",
    ])
      for (const r of Object.values(resources(j, type))) expect(r.depends_on).toContain(ns);
    expect(only(j, "kubernetes_cluster_role_binding_v1").depends_on).toBeUndefined();
  });

  test("GIVEN createKubernetesNamespace false WHEN synthesized THEN there is no namespace and nothing depends on one", () => {
    const j = composed({ createKubernetesNamespace: false });
    expect(resources(j, "kubernetes_namespace_v1")).toEqual({});
    expect(only(j, "kubernetes_deployment_v1").depends_on).toBeUndefined();
  });

  test("GIVEN memory locking and an existing namespace WHEN synthesized THEN no pod security level is in the way", () => {
    const j = composed({ createKubernetesNamespace: false, keyServer: { allowMemoryLock: true } });
    expect(Object.keys(resources(j, "kubernetes_deployment_v1"))).toHaveLength(1);
  });

  test("fails when memory locking is asked for under pod security restricted", () => {
    expect(() => composed({ keyServer: { allowMemoryLock: true } })).toThrow(
      'keyServer.allowMemoryLock adds the IPC_LOCK capability, which pod security "restricted" refuses: set podSecurity: PodSecurityLevel.BASELINE, or drop allowMemoryLock',
    );
  });

  test("GIVEN podSecurity baseline WHEN synthesized THEN the namespace enforces it", () => {
    const j = composed({ podSecurity: PodSecurityLevel.BASELINE, keyServer: { allowMemoryLock: true } });
    expect(only(j, "kubernetes_namespace_v1").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "baseline",
    );
  });
});
