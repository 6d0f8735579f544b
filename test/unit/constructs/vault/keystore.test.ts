import { Duration } from "../../../../constructs/duration";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { TerraformStack, Testing } from "cdktf";
import {
  AppRoleAuth,
  Keystore,
  KeystoreLogin,
  KubernetesAuthBackend,
  KvMount,
  KvVersion,
  VaultNamespace,
  type KeystoreProps,
  type KubernetesLoginOptions,
} from "../../../../constructs";
import { keystorePolicyRules, renderPolicyHcl } from "../../../../constructs/spec";
import { only, resources, synth } from "./synth";

const keystore = (s: TerraformStack, props: Partial<KeystoreProps> = {}) =>
  new Keystore(s, "Payments", { prefix: "payments", ...props });

describe("Keystore", () => {
  test("GIVEN a prefix-mode spec WHEN synthesized THEN the tree has the stable ids KvMount, Policy, AppRoleAuth, AppRole", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const ks = keystore(stack, { transit: { key: "kes-payments" } });
    const paths = ks.node
      .findAll()
      .map((c) => c.node.path)
      .sort();
    expect(paths).toEqual(
      [
        "s/Payments",
        "s/Payments/AppRole",
        "s/Payments/AppRole/Role",
        "s/Payments/AppRole/SecretId",
        "s/Payments/AppRoleAuth",
        "s/Payments/AppRoleAuth/Resource",
        "s/Payments/KvMount",
        "s/Payments/KvMount/Resource",
        "s/Payments/Policy",
        "s/Payments/Policy/Resource",
        "s/Payments/TransitKey",
        "s/Payments/TransitKey/Mount",
        "s/Payments/TransitKey/Resource",
      ].sort(),
    );
  });

  test("GIVEN a spec WHEN synthesized THEN the policy document is the one rendered from the spec, under the derived name", () => {
    let ks: Keystore | undefined;
    const { text } = synth((s) => {
      ks = keystore(s, { kvVersion: KvVersion.V2 });
    });
    expect(ks!.policy.document).toContain(renderPolicyHcl(keystorePolicyRules(ks!.spec)));
    expect(text).toHaveResourceWithProperties(Policy, {
      name: "kes-kv-payments",
      policy: ks!.policy.document,
    });
  });

  test("GIVEN a spec WHEN synthesized THEN the role's only policy is the keystore policy, referenced so it is created first", () => {
    const { json } = synth((s) => keystore(s));
    expect(only(json, "vault_approle_auth_backend_role").token_policies).toEqual([
      expect.stringMatching(/^\$\{vault_policy\.\S+\.name\}$/),
    ]);
  });

  test("GIVEN namespace mode WHEN synthesized THEN the namespace is created and every resource sits in it", () => {
    const { json } = synth((s) => keystore(s, { namespace: "tenant-payments" }));
    expect(only(json, "vault_namespace")).toMatchObject({ path: "tenant-payments" });
    const ref = expect.stringMatching(/^\$\{vault_namespace\.\S+\.path_fq\}$/);
    for (const type of [
      "vault_mount",
      "vault_policy",
      "vault_auth_backend",
      "vault_approle_auth_backend_role",
      "vault_approle_auth_backend_role_secret_id",
    ]) {
      expect([type, only(json, type).namespace]).toEqual([type, ref]);
    }
  });

  test("GIVEN createNamespace false WHEN synthesized THEN no namespace is created and resources name it literally", () => {
    const { json } = synth((s) => keystore(s, { namespace: "tenant-payments", createNamespace: false }));
    expect(resources(json, "vault_namespace")).toEqual({});
    expect(only(json, "vault_mount").namespace).toBe("tenant-payments");
  });

  test("GIVEN the auth mount in the root namespace WHEN synthesized THEN K/V is in the namespace and the policy, mount and role in the root", () => {
    const { json } = synth((s) => keystore(s, { namespace: "tenant-payments", authNamespace: "/" }));
    expect(only(json, "vault_mount").namespace).toMatch(/path_fq/);
    for (const type of [
      "vault_policy",
      "vault_auth_backend",
      "vault_approle_auth_backend_role",
      "vault_approle_auth_backend_role_secret_id",
    ]) {
      expect([type, only(json, type).namespace]).toEqual([type, undefined]);
    }
    expect(String(only(json, "vault_policy").policy)).toContain('path "tenant-payments/kv/payments/*"');
  });

  test("GIVEN shared mounts WHEN two keystores use them THEN one K/V and one AppRole mount serve both", () => {
    const { json } = synth((s) => {
      const kv = new KvMount(s, "Kv");
      const auth = new AppRoleAuth(s, "AppRole");
      keystore(s, { kvMount: kv, login: KeystoreLogin.appRole({ mount: auth }) });
      new Keystore(s, "Analytics", {
        prefix: "analytics",
        kvMount: kv,
        login: KeystoreLogin.appRole({ mount: auth }),
      });
    });
    expect(Object.keys(resources(json, "vault_mount"))).toHaveLength(1);
    expect(Object.keys(resources(json, "vault_auth_backend"))).toHaveLength(1);
    expect(
      Object.values(resources(json, "vault_policy"))
        .map((p) => p.name)
        .sort(),
    ).toEqual(["kes-kv-analytics", "kes-kv-payments"]);
  });

  test("GIVEN adopted mounts WHEN synthesized THEN no mount is created", () => {
    const { json } = synth((s) =>
      keystore(s, {
        kvMount: KvMount.fromExisting(s, "ExistingKv", "kv", KvVersion.V1),
        login: KeystoreLogin.appRole({ mount: AppRoleAuth.fromExisting(s, "Existing", "approle") }),
      }),
    );
    expect(resources(json, "vault_mount")).toEqual({});
    expect(resources(json, "vault_auth_backend")).toEqual({});
    expect(only(json, "vault_approle_auth_backend_role").backend).toBe("approle");
  });

  test("GIVEN Kubernetes login WHEN synthesized THEN a Kubernetes role replaces the AppRole resources", () => {
    let ks: Keystore | undefined;
    const { json } = synth((s) => {
      ks = keystore(s, {
        login: KeystoreLogin.kubernetes({
          serviceAccountNames: ["kes"],
          serviceAccountNamespaces: ["minio"],
          audience: "vault",
        }),
      });
    });
    expect(only(json, "vault_kubernetes_auth_backend_role")).toMatchObject({
      backend: "kubernetes",
      role_name: "kes-kv-payments",
      bound_service_account_names: ["kes"],
      bound_service_account_namespaces: ["minio"],
      audience: "vault",
      token_period: 300,
      token_no_default_policy: true,
    });
    expect(resources(json, "vault_approle_auth_backend_role")).toEqual({});
    expect(ks?.secretId).toBeUndefined();
    expect(ks?.kubernetesRoleName).toBeDefined();
  });

  test("GIVEN mounts passed without kvEngine, kvVersion or authEngine WHEN built THEN the spec takes their paths and version", () => {
    let ks: Keystore | undefined;
    const { json } = synth((s) => {
      ks = keystore(s, {
        kvMount: new KvMount(s, "Kv", { path: "keys", version: KvVersion.V2 }),
        login: KeystoreLogin.appRole({ mount: AppRoleAuth.fromExisting(s, "Login", "kes-login") }),
      });
    });
    expect([ks?.spec.kvEngine, ks?.spec.kvVersion, ks?.spec.authEngine]).toEqual([
      "keys",
      KvVersion.V2,
      "kes-login",
    ]);
    expect(String(only(json, "vault_policy").policy)).toContain('path "keys/data/payments/*"');
    expect(only(json, "vault_approle_auth_backend_role").backend).toBe("kes-login");
  });

  test("GIVEN mounts passed WHEN the spec is derived without building THEN specOf takes their paths too", () => {
    synth((s) => {
      const spec = Keystore.specOf({
        prefix: "payments",
        kvMount: KvMount.fromExisting(s, "Kv", "keys", KvVersion.V2),
        login: KeystoreLogin.appRole({ mount: AppRoleAuth.fromExisting(s, "Login", "kes-login") }),
      });
      expect([spec.kvEngine, spec.kvVersion, spec.authEngine, spec.listPath()]).toEqual([
        "keys",
        KvVersion.V2,
        "kes-login",
        "keys/metadata/payments",
      ]);
    });
  });

  test("fails when a passed K/V mount has another version", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          kvVersion: KvVersion.V2,
          kvMount: KvMount.fromExisting(s, "ExistingKv", "kv", KvVersion.V1),
        }),
      ),
    ).toThrow(
      'kvMount "kv (v1)" does not match the spec "kv (v2)": pass a mount with the same path and version, or drop kvMount',
    );
  });

  test("fails when a passed K/V mount is in another namespace", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          namespace: "a",
          createNamespace: false,
          kvMount: KvMount.fromExisting(s, "ExistingKv", "kv", KvVersion.V1),
        }),
      ),
    ).toThrow(
      'kvMount is in namespace "/" but the spec\'s namespace is "a": pass a mount from the same namespace',
    );
  });

  test("fails when a passed AppRole mount has another path", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          authEngine: "approle",
          login: KeystoreLogin.appRole({ mount: AppRoleAuth.fromExisting(s, "Existing", "other") }),
        }),
      ),
    ).toThrow(
      'login\'s AppRole mount "/auth/other" does not match the spec\'s auth mount "/auth/approle": pass a mount with the same path and namespace',
    );
  });

  test("fails when Kubernetes login has no service account", () => {
    expect(() => synth((s) => keystore(s, { login: KeystoreLogin.kubernetes() }))).toThrow(
      'login KeystoreLogin.kubernetes(...) names no service account: pass serviceAccountNames and serviceAccountNamespaces, e.g. { serviceAccountNames: ["kes"], serviceAccountNamespaces: ["minio"] }, or give the keystore to a KesTenant, which binds its key server',
    );
  });

  test("GIVEN a Kubernetes login with an auth backend WHEN synthesized THEN the mount is configured and the role is created in it", () => {
    const { json } = synth((s) =>
      keystore(s, {
        login: KeystoreLogin.kubernetes({
          serviceAccountNames: ["kes"],
          serviceAccountNamespaces: ["minio"],
          authBackend: { kubernetesHost: "https://10.0.0.1:6443" },
        }),
      }),
    );
    expect(only(json, "vault_auth_backend")).toMatchObject({ type: "kubernetes", path: "kubernetes" });
    expect(only(json, "vault_kubernetes_auth_backend_config").kubernetes_host).toBe("https://10.0.0.1:6443");
    expect(only(json, "vault_kubernetes_auth_backend_role").backend).toMatch(/^\$\{vault_auth_backend\./);
  });

  const k8sLogin = (props: Partial<KubernetesLoginOptions>) =>
    KeystoreLogin.kubernetes({ serviceAccountNames: ["kes"], serviceAccountNamespaces: ["minio"], ...props });

  test("GIVEN a Kubernetes login with an imported mount WHEN synthesized THEN the role is created in it, the spec takes its path, and no mount is created", () => {
    let ks: Keystore | undefined;
    const { json } = synth((s) => {
      ks = keystore(s, {
        namespace: "team-a",
        createNamespace: false,
        login: k8sLogin({
          mount: KubernetesAuthBackend.fromExisting(
            s,
            "Shared",
            "k8s",
            VaultNamespace.fromPath(s, "TeamA", "team-a"),
          ),
        }),
      });
    });
    expect(resources(json, "vault_auth_backend")).toEqual({});
    expect(resources(json, "vault_kubernetes_auth_backend_config")).toEqual({});
    expect(only(json, "vault_kubernetes_auth_backend_role")).toMatchObject({
      backend: "k8s",
      namespace: "team-a",
    });
    expect([ks?.spec.authEngine, ks?.kubernetesAuthBackend]).toEqual(["k8s", undefined]);
  });

  test("GIVEN a Kubernetes auth mount created once WHEN two keystores log in through it THEN both roles refer to its path and no other mount is created", () => {
    const { json } = synth((s) => {
      const mount = new KubernetesAuthBackend(s, "K8sAuth", { kubernetesHost: "https://10.0.0.1:6443" });
      keystore(s, { login: k8sLogin({ mount }) });
      new Keystore(s, "Analytics", { prefix: "analytics", login: k8sLogin({ mount }) });
    });
    expect(Object.keys(resources(json, "vault_auth_backend"))).toHaveLength(1);
    expect(
      Object.values(resources(json, "vault_kubernetes_auth_backend_role")).map((r) => r.backend),
    ).toEqual([
      expect.stringMatching(/^\$\{vault_auth_backend\.K8sAuth_[0-9A-F]+\.path\}$/),
      expect.stringMatching(/^\$\{vault_auth_backend\.K8sAuth_[0-9A-F]+\.path\}$/),
    ]);
  });

  test("GIVEN a Kubernetes login without a mount WHEN built THEN the existing mount is imported as KubernetesAuthBackend and creates nothing", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const ks = keystore(stack, { login: k8sLogin({}) });
    expect(ks.node.tryFindChild("KubernetesAuthBackend")).toMatchObject({
      authPath: "kubernetes",
      authPathLiteral: "kubernetes",
      authNamespace: undefined,
    });
    expect(ks.kubernetesAuthBackend).toBeUndefined();
  });

  test("fails when a passed Kubernetes auth mount has another path", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          authEngine: "kubernetes",
          login: k8sLogin({ mount: KubernetesAuthBackend.fromExisting(s, "Existing", "other") }),
        }),
      ),
    ).toThrow(
      'login\'s Kubernetes auth mount "/auth/other" does not match the spec\'s auth mount "/auth/kubernetes": pass a mount with the same path and namespace',
    );
  });

  test("fails when a passed Kubernetes auth mount is in another namespace", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          namespace: "team-a",
          createNamespace: false,
          login: k8sLogin({ mount: KubernetesAuthBackend.fromExisting(s, "Existing", "kubernetes") }),
        }),
      ),
    ).toThrow(
      'login\'s Kubernetes auth mount "/auth/kubernetes" does not match the spec\'s auth mount "team-a/auth/kubernetes": pass a mount with the same path and namespace',
    );
  });

  test("fails when a Kubernetes login passes both a mount and an authBackend", () => {
    expect(() =>
      synth((s) =>
        keystore(s, {
          login: k8sLogin({
            mount: KubernetesAuthBackend.fromExisting(s, "Existing", "kubernetes"),
            authBackend: { kubernetesHost: "https://10.0.0.1:6443" },
          }),
        }),
      ),
    ).toThrow(
      'login KeystoreLogin.kubernetes(...) passes mount "stack/Existing" and authBackend, but authBackend creates the mount: pass authBackend to create and configure it here, or mount for one configured elsewhere, not both',
    );
  });

  test("GIVEN each login WHEN built THEN it carries only its own method's options", () => {
    const appRole = KeystoreLogin.appRole({ tokenPeriod: Duration.minutes(10) });
    const kubernetes = KeystoreLogin.kubernetes({ audience: "vault" });
    expect([appRole.method.type, appRole.appRoleOptions, appRole.kubernetesOptions]).toEqual([
      "approle",
      { tokenPeriod: Duration.minutes(10) },
      undefined,
    ]);
    expect([kubernetes.method.type, kubernetes.appRoleOptions, kubernetes.kubernetesOptions]).toEqual([
      "kubernetes",
      undefined,
      { audience: "vault" },
    ]);
  });

  test("fails when the spec is invalid", () => {
    expect(() => synth((s) => keystore(s, { prefix: "../etc" }))).toThrow(
      'prefix "../etc" must not contain "." or ".." segments (path traversal)',
    );
  });
});
