import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { PodSecurityLevel } from "../../../../constructs/kubernetes/pod-security-level";
import { tenantOutputNames } from "../../../../constructs/tenant/tenant-vault";
import { TenantKeystore } from "../../../../constructs/tenant/tenant-keystore";
import { KvVersion } from "../../../../constructs/vault/kv-version";
import { KeystoreLogin, type KubernetesLoginOptions } from "../../../../constructs/vault/keystore-login";
import { only, resources, synth, type Json } from "../kubernetes/support";
import { TenantVault } from "../../../../constructs/tenant/tenant-vault";
import { TenantWorkloads } from "../../../../constructs/tenant/tenant-workloads";
import { addresses, kubernetesLoginKeystore, tenant } from "./support";

const configOf = (j: Json): string => only(j, "kubernetes_config_map_v1").data["config.yaml"];
const minioEnv = (j: Json): Record<string, Json> =>
  Object.fromEntries(
    only(j, "kubernetes_stateful_set_v1").spec.template.spec.container[0].env.map((e: Json) => [e.name, e]),
  );

describe("KesTenant", () => {
  test("GIVEN a tenant WHEN synthesized THEN the whole chain is there: Vault policy and AppRole, identities, key server, MinIO", () => {
    const j = synth((s) => tenant(s));
    for (const type of [
      "vault_policy",
      "vault_approle_auth_backend_role",
      "vault_approle_auth_backend_role_secret_id",
      "tls_locally_signed_cert",
      "kubernetes_namespace_v1",
      "kubernetes_deployment_v1",
      "kubernetes_stateful_set_v1",
    ]) {
      expect(Object.keys(resources(j, type)).length).toBeGreaterThan(0);
    }
  });

  test("GIVEN a tenant WHEN synthesized THEN the key server config names MinIO's certificate and scopes it to the tenant's key prefix", () => {
    const config = configOf(synth((s) => tenant(s)));
    expect(config).toContain("- /v1/key/generate/payments-*");
    expect(config).toContain("- cert: /etc/keyserver/clients/minio.crt");
    expect(config).not.toMatch(/\/v1\/key\/delete\/payments/);
  });

  test("GIVEN a tenant WHEN synthesized THEN MinIO's default key is under the prefix and its certificate is the one the key server knows", () => {
    const j = synth((s) => tenant(s));
    expect(minioEnv(j).MINIO_KMS_KES_KEY_NAME.value).toBe("payments-default");
    const ksSecret = Object.values(resources(j, "kubernetes_secret_v1")).find(
      (x) => x.metadata.name === "keyserver",
    ) as Json;
    const minioSecret = Object.values(resources(j, "kubernetes_secret_v1")).find(
      (x) => x.metadata.name === "minio-kes",
    ) as Json;
    expect(ksSecret.data["minio.crt"]).toBe(minioSecret.data["client.crt"]);
    expect(ksSecret.data["ca.crt"]).toBe(minioSecret.data["ca.crt"]);
  });

  test("GIVEN a tenant WHEN synthesized THEN the keystore config is derived from the spec (engine, version, prefix)", () => {
    const config = configOf(
      synth((s) =>
        tenant(s, { keystore: TenantKeystore.fromProps({ prefix: "payments", kvVersion: KvVersion.V2 }) }),
      ),
    );
    expect(config).toContain("engine: kv\n    version: v2\n    prefix: payments\n");
  });

  test("GIVEN a namespaced tenant WHEN synthesized THEN the config and the key path output carry the Vault namespace", () => {
    const j = synth((s) =>
      tenant(s, {
        keystore: TenantKeystore.fromProps({ prefix: "payments", namespace: "tenants/payments" }),
      }),
    );
    expect(configOf(j)).toContain("namespace: tenants/payments");
    expect(j.output[tenantOutputNames("payments").vaultKeyPath].value).toBe("tenants/payments/kv/payments/");
  });

  test("GIVEN a tenant WHEN synthesized THEN its outputs hold endpoints, role-id, accessor and public certificates, none sensitive", () => {
    const j = synth((s) => tenant(s));
    const names = tenantOutputNames("payments");
    expect(Object.keys(j.output).sort()).toEqual(Object.values(names).sort());
    expect(j.output[names.keyServerEndpoints].value).toEqual([
      "https://keyserver.payments.svc.cluster.local:7373",
    ]);
    expect(j.output[names.secretIdAccessor].value).toMatch(/\.accessor\}$/);
    for (const o of Object.values(j.output) as Json[]) {
      expect(JSON.stringify(o.value)).not.toMatch(/secret_id\}|private_key_pem|random_password/);
    }
  });

  test("GIVEN a network policy WHEN synthesized THEN it admits exactly the tenant's MinIO pods", () => {
    const j = synth((s) => tenant(s, { keyServer: { networkPolicy: {} } }));
    const from = only(j, "kubernetes_network_policy_v1").spec.ingress[0].from[0].pod_selector.match_labels;
    expect(from).toEqual(only(j, "kubernetes_stateful_set_v1").spec.selector.match_labels);
  });

  test("GIVEN a created namespace WHEN synthesized THEN every namespaced object depends on it with a bare reference", () => {
    const j = synth((s) => tenant(s));
    const ns = Object.keys(resources(j, "kubernetes_namespace_v1"))[0];
    for (const type of [
      "kubernetes_deployment_v1",
      "kubernetes_stateful_set_v1",
      "kubernetes_secret_v1",
      "kubernetes_service_v1",
    ]) {
      for (const r of Object.values(resources(j, type)))
        expect(r.depends_on).toEqual([`kubernetes_namespace_v1.${ns}`]);
    }
  });

  test("GIVEN two tenants in one stack WHEN synthesized THEN their outputs and objects do not collide", () => {
    const j = synth((s) => {
      tenant(s, {}, "payments");
      tenant(s, {}, "analytics");
    });
    expect(Object.keys(resources(j, "kubernetes_deployment_v1"))).toHaveLength(2);
    expect(j.output[tenantOutputNames("analytics").minioEndpoint].value).toBe(
      "http://minio.analytics.svc.cluster.local:9000",
    );
  });

  test("GIVEN a full synthesis WHEN cdktf.out is searched THEN it holds no PEM block, no secret-id, no API key", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "tenant");
    for (const P of [VaultProvider, KubernetesProvider, TlsProvider, RandomProvider])
      new P(stack, P.tfResourceType, {});
    tenant(stack);
    const out = Testing.fullSynth(stack);
    const texts: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else texts.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(out);
    const all = texts.join("\n");
    expect(all).toContain("vault_approle_auth_backend_role_secret_id");
    expect(all).not.toMatch(/-----BEGIN [A-Z ]*-----/);
    expect(all).not.toMatch(/kes:v1:[A-Za-z0-9+/]{40}/);
    expect(all).not.toMatch(/"vault-secret-id":\s*"[^$]/);
  });

  test("GIVEN a tenant WHEN its resources are listed THEN the logical ids are the stable public ones", () => {
    const j = synth((s) => tenant(s));
    const ids = Object.entries(j.resource as Json).flatMap(([type, group]) =>
      Object.keys(group as Json).map((id) => `${type}.${id}`),
    );
    expect(ids.sort()).toMatchSnapshot();
  });

  test("fails when the tenant name starts with a digit", () => {
    expect(() => synth((s) => tenant(s, {}, "1payments"))).toThrow(
      'tenantName "1payments" must be 1 to 32 characters of [a-z0-9-], starting with a letter',
    );
  });

  test("fails when the default key is outside the key-name prefix", () => {
    expect(() => synth((s) => tenant(s, { defaultKeyName: "other-default" }))).toThrow(
      'defaultKeyName "other-default" does not start with keyNamePrefix "payments-", so MinIO\'s policy would forbid it',
    );
  });

  test("fails when the Kubernetes namespace is not a DNS label", () => {
    expect(() => synth((s) => tenant(s, { kubernetesNamespace: "Payments" }))).toThrow(
      'kubernetesNamespace "Payments" must be a DNS label',
    );
  });

  test("GIVEN a tenant WHEN synthesized THEN its namespace enforces pod security restricted (and warns and audits at it)", () => {
    const ns = only(
      synth((s) => tenant(s)),
      "kubernetes_namespace_v1",
    );
    expect(ns.metadata.labels).toEqual({
      "app.kubernetes.io/part-of": "kes-vault-kit",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
  });

  test("GIVEN podSecurity baseline and memory locking WHEN synthesized THEN the namespace enforces baseline", () => {
    const ns = only(
      synth((s) =>
        tenant(s, {
          podSecurity: PodSecurityLevel.BASELINE,
          keyServer: { allowMemoryLock: true },
        }),
      ),
      "kubernetes_namespace_v1",
    );
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  test("fails when memory locking is asked for under pod security restricted", () => {
    expect(() => synth((s) => tenant(s, { keyServer: { allowMemoryLock: true } }))).toThrow(
      'keyServer.allowMemoryLock adds the IPC_LOCK capability, which pod security "restricted" refuses: set podSecurity: PodSecurityLevel.BASELINE',
    );
  });

  test.each(["restricted", "baseline", "privileged"])(
    "GIVEN the level name %s WHEN parsed THEN it round-trips",
    (name) => {
      expect(PodSecurityLevel.of(name).level).toBe(name);
    },
  );

  test("fails when a pod security level name is unknown", () => {
    expect(() => PodSecurityLevel.of("strict")).toThrow(
      'pod security level "strict" is not one of restricted, baseline, privileged',
    );
  });

  const kubernetesLogin = (authBackend?: KubernetesLoginOptions["authBackend"]) =>
    TenantKeystore.fromProps({ prefix: "payments", login: KeystoreLogin.kubernetes({ authBackend }) });

  test("GIVEN a Kubernetes login with an auth backend WHEN synthesized THEN Vault's kubernetes mount is configured with the tenant's token reviewer and the role is bound to exactly the key server's account", () => {
    const j = synth((s) =>
      tenant(s, {
        keystore: kubernetesLogin({ kubernetesHost: "https://10.0.0.1:6443", kubernetesCaCert: "CA-PEM" }),
      }),
    );
    expect(only(j, "vault_auth_backend")).toMatchObject({ type: "kubernetes", path: "kubernetes" });
    const config = only(j, "vault_kubernetes_auth_backend_config");
    expect(config).toMatchObject({ kubernetes_host: "https://10.0.0.1:6443", kubernetes_ca_cert: "CA-PEM" });
    expect(config.token_reviewer_jwt).toMatch(
      /^\$\{kubernetes_secret_v1\.payments_TokenReviewerToken_[0-9A-F]+\.data\.token\}$/,
    );
    expect(only(j, "vault_kubernetes_auth_backend_role")).toMatchObject({
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["payments"],
      audience: "vault",
    });
    expect(only(j, "kubernetes_cluster_role_binding_v1").role_ref).toMatchObject({
      name: "system:auth-delegator",
    });
    expect(resources(j, "vault_approle_auth_backend_role_secret_id")).toEqual({});
  });

  test("GIVEN a Kubernetes login WHEN synthesized THEN the key server logs in with a projected token of audience vault", () => {
    const j = synth((s) =>
      tenant(s, {
        keystore: kubernetesLogin({ kubernetesHost: "https://10.0.0.1:6443" }),
      }),
    );
    const dep = Object.values(resources(j, "kubernetes_deployment_v1"))[0] as Json;
    const vol = dep.spec.template.spec.volume.find((v: Json) => v.name === "vault-token");
    expect(vol.projected[0].sources[0].service_account_token.audience).toBe("vault");
    expect(configOf(j)).toContain("jwt: /var/run/secrets/vault/token");
  });

  test("GIVEN a Kubernetes login without an auth backend WHEN synthesized THEN the role is bound to the key server and no mount or reviewer is created", () => {
    const j = synth((s) => tenant(s, { keystore: kubernetesLogin() }));
    expect(only(j, "vault_kubernetes_auth_backend_role")).toMatchObject({
      backend: "kubernetes",
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["payments"],
      audience: "vault",
    });
    expect(resources(j, "vault_auth_backend")).toEqual({});
    expect(resources(j, "kubernetes_cluster_role_binding_v1")).toEqual({});
  });

  test("GIVEN a Kubernetes login naming its service accounts WHEN synthesized THEN the tenant keeps them", () => {
    const j = synth((s) =>
      tenant(s, {
        keystore: TenantKeystore.fromProps({
          prefix: "payments",
          login: KeystoreLogin.kubernetes({
            serviceAccountNames: ["kes"],
            serviceAccountNamespaces: ["minio"],
          }),
        }),
      }),
    );
    expect(only(j, "vault_kubernetes_auth_backend_role")).toMatchObject({
      bound_service_account_names: ["kes"],
      bound_service_account_namespaces: ["minio"],
    });
  });
});

describe("KesTenant as the composition of its halves", () => {
  test("GIVEN a tenant WHEN built THEN it is a TenantVault whose workloads are its child Default", () => {
    let t: ReturnType<typeof tenant> | undefined;
    synth((s) => {
      t = tenant(s);
    });
    expect(t).toBeInstanceOf(TenantVault);
    expect(t?.workloads).toBeInstanceOf(TenantWorkloads);
    expect(t?.workloads.node.id).toBe("Default");
    expect(t?.keyServer).toBe(t?.workloads.keyServer);
    expect(t?.minio).toBe(t?.workloads.minio);
  });

  test("GIVEN a Kubernetes login with an auth backend WHEN synthesized THEN the reviewer objects have tenant-level ids", () => {
    const ids = addresses(synth((s) => tenant(s, { keystore: kubernetesLoginKeystore() }))).filter((a) =>
      a.includes("TokenReviewer"),
    );
    expect(ids.map((a) => a.replace(/_[0-9A-F]{8}$/, ""))).toEqual([
      "kubernetes_cluster_role_binding_v1.payments_TokenReviewerBinding",
      "kubernetes_secret_v1.payments_TokenReviewerToken",
      "kubernetes_service_account_v1.payments_TokenReviewer",
    ]);
  });
});
