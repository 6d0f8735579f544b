import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { Namespace } from "@cdktf/provider-vault/lib/namespace";
import { TransitSecretBackendKey } from "@cdktf/provider-vault/lib/transit-secret-backend-key";
import {
  AppRoleAuth,
  Keystore,
  KubernetesAuthRole,
  TransitKey,
  VaultNamespace,
} from "../../../../constructs";
import { only, resources, synth, synthValidated } from "./synth";

describe("VaultNamespace", () => {
  test("GIVEN a nested path WHEN synthesized THEN the last segment is created inside its parent", () => {
    const { text } = synth((s) => new VaultNamespace(s, "Ns", { path: "tenants/payments" }));
    expect(text).toHaveResourceWithProperties(Namespace, { path: "payments", namespace: "tenants" });
  });

  test("fails when the path uses a reserved name", () => {
    expect(() => synth((s) => new VaultNamespace(s, "Ns", { path: "root" }))).toThrow(
      'path "root" uses the reserved namespace name "root"',
    );
  });
});

describe("AppRoleAuth", () => {
  test("GIVEN no props WHEN synthesized THEN AppRole is enabled at approle", () => {
    const { text } = synth((s) => new AppRoleAuth(s, "Auth"));
    expect(text).toHaveResourceWithProperties(AuthBackend, { type: "approle", path: "approle" });
  });

  test("fails when the path is the token store", () => {
    expect(() => synth((s) => new AppRoleAuth(s, "Auth", { path: "token" }))).toThrow(
      'path "token" uses the reserved auth path "token": use a path like "approle"',
    );
  });
});

describe("TransitKey", () => {
  test("GIVEN a key WHEN synthesized THEN the engine is mounted and the key never rotates, decrypts from version 1, cannot be deleted or exported", () => {
    const { json, text } = synth((s) => new TransitKey(s, "Transit", { keyName: "kes-p" }));
    expect(only(json, "vault_mount")).toMatchObject({ path: "transit", type: "transit" });
    expect(text).toHaveResourceWithProperties(TransitSecretBackendKey, {
      name: "kes-p",
      auto_rotate_period: 0,
      min_decryption_version: 1,
      deletion_allowed: false,
      exportable: false,
      type: "aes256-gcm96",
    });
  });

  test("GIVEN createMount false WHEN synthesized THEN only the key is created, in the named engine", () => {
    const { json } = synth(
      (s) => new TransitKey(s, "Transit", { keyName: "kes-p", engine: "wrap", createMount: false }),
    );
    expect(resources(json, "vault_mount")).toEqual({});
    expect(only(json, "vault_transit_secret_backend_key").backend).toBe("wrap");
  });

  test("GIVEN deletionAllowed WHEN synthesized THEN a destroy may delete the key", () => {
    const { json } = synth((s) => new TransitKey(s, "Transit", { keyName: "kes-p", deletionAllowed: true }));
    expect(only(json, "vault_transit_secret_backend_key").deletion_allowed).toBe(true);
  });

  test("fails when the key name has a slash", () => {
    expect(() => synth((s) => new TransitKey(s, "Transit", { keyName: "a/b" }))).toThrow(
      'transit.key "a/b" must match [A-Za-z0-9][A-Za-z0-9_-]{0,79}',
    );
  });
});

describe("KubernetesAuthRole", () => {
  const base = {
    roleName: "kes-p",
    policyNames: ["kes-p"],
    serviceAccountNames: ["kes"],
    serviceAccountNamespaces: ["minio"],
  };

  test("GIVEN no audience WHEN synthesized THEN none is set and the token is periodic", () => {
    const { json } = synth((s) => new KubernetesAuthRole(s, "K8s", base));
    expect(only(json, "vault_kubernetes_auth_backend_role")).toMatchObject({
      token_period: 300,
      token_policies: ["kes-p"],
    });
    expect(only(json, "vault_kubernetes_auth_backend_role").audience).toBeUndefined();
  });

  test("fails when a service account is a wildcard", () => {
    expect(() =>
      synth((s) => new KubernetesAuthRole(s, "K8s", { ...base, serviceAccountNames: ["*"] })),
    ).toThrow(
      'serviceAccountNames entry "*" is not a kubernetes name (no "*" wildcards): use a name like "kes"',
    );
  });

  test("fails when no namespace is bound", () => {
    expect(() =>
      synth((s) => new KubernetesAuthRole(s, "K8s", { ...base, serviceAccountNamespaces: [] })),
    ).toThrow('serviceAccountNamespaces [] is empty: name the key server\'s namespace, e.g. "minio"');
  });

  test("GIVEN a role without policies WHEN a keystore grants it access THEN its tokens get the keystore policy", () => {
    const json = synthValidated((s) => {
      const ks = new Keystore(s, "Payments", { prefix: "payments" });
      ks.grantKeyServerAccess(new KubernetesAuthRole(s, "K8s", { ...base, policyNames: undefined }));
    });
    expect(only(json, "vault_kubernetes_auth_backend_role").token_policies).toEqual([
      expect.stringMatching(/^\$\{vault_policy\.Payments_Policy_[0-9A-F]+\.name\}$/),
    ]);
  });

  test("fails at synth when the role is left without a policy", () => {
    expect(() =>
      synthValidated((s) => new KubernetesAuthRole(s, "K8s", { ...base, policyNames: undefined })),
    ).toThrow("policyNames [] is empty, so the key server's token could do nothing");
  });
});
