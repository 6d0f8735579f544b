import { Token } from "cdktf";
import {
  KubernetesAuthBackend,
  KubernetesAuthRole,
  VaultNamespace,
  type IKubernetesAuthBackend,
} from "../../../../constructs";
import { only, resources, synth } from "./synth";

const role = {
  roleName: "kes-p",
  policyNames: ["kes-p"],
  serviceAccountNames: ["kes"],
  serviceAccountNamespaces: ["minio"],
};

describe("KubernetesAuthBackend", () => {
  test("GIVEN a created mount in a namespace WHEN read THEN its attribute is a token, its literal the path as written, its namespace the one given", () => {
    let seen: unknown[] = [];
    synth((s) => {
      const ns = VaultNamespace.fromPath(s, "Ns", "team-a");
      const mount = new KubernetesAuthBackend(s, "K8sAuth", {
        path: "k8s",
        namespace: ns,
        kubernetesHost: "https://10.0.0.1:6443",
      });
      seen = [Token.isUnresolved(mount.authPath), mount.authPathLiteral, mount.authNamespace === ns];
    });
    expect(seen).toEqual([true, "k8s", true]);
  });

  test("GIVEN fromExisting WHEN used THEN it is a construct of the tree that creates nothing, and its attribute is the literal", () => {
    let mount: IKubernetesAuthBackend | undefined;
    const { json } = synth((s) => {
      mount = KubernetesAuthBackend.fromExisting(
        s,
        "Shared",
        "k8s",
        VaultNamespace.fromPath(s, "TeamA", "team-a"),
      );
    });
    expect(json.resource ?? {}).toEqual({});
    expect([
      mount?.authPath,
      mount?.authPathLiteral,
      mount?.authNamespace?.namespacePathLiteral,
      mount?.node.path,
    ]).toEqual(["k8s", "k8s", "team-a", "stack/Shared"]);
  });

  test("GIVEN fromExisting without a namespace WHEN used THEN the mount is in the root namespace", () => {
    let mount: IKubernetesAuthBackend | undefined;
    synth((s) => {
      mount = KubernetesAuthBackend.fromExisting(s, "Shared", "kubernetes");
    });
    expect(mount?.authNamespace).toBeUndefined();
  });

  test("fails when an imported path is the token store", () => {
    expect(() => synth((s) => KubernetesAuthBackend.fromExisting(s, "Shared", "token"))).toThrow(
      'authEngine "token" uses the reserved auth path "token": use a path like "kubernetes"',
    );
  });

  test("fails when an imported path climbs out of auth/", () => {
    expect(() => synth((s) => KubernetesAuthBackend.fromExisting(s, "Shared", "a/../b"))).toThrow(
      'authEngine "a/../b" must not contain "." or ".." segments (path traversal)',
    );
  });
});

describe("KubernetesAuthRole in a mount", () => {
  test("GIVEN no mount WHEN synthesized THEN the role is in the existing mount kubernetes of the root namespace", () => {
    let loginNamespace: unknown = "unset";
    const { json } = synth((s) => {
      loginNamespace = new KubernetesAuthRole(s, "K8s", role).loginNamespace;
    });
    const r = only(json, "vault_kubernetes_auth_backend_role");
    expect([r.backend, r.namespace, loginNamespace]).toEqual(["kubernetes", undefined, undefined]);
  });

  test("GIVEN an imported mount in a namespace WHEN synthesized THEN the role is created in that mount and namespace, and nothing else", () => {
    let loginNamespace: string | undefined;
    const { json } = synth((s) => {
      const auth = KubernetesAuthBackend.fromExisting(
        s,
        "Shared",
        "k8s",
        VaultNamespace.fromPath(s, "TeamA", "team-a"),
      );
      loginNamespace = new KubernetesAuthRole(s, "K8s", { ...role, auth }).loginNamespace
        ?.namespacePathLiteral;
    });
    expect(only(json, "vault_kubernetes_auth_backend_role")).toMatchObject({
      backend: "k8s",
      namespace: "team-a",
    });
    expect(Object.keys(json.resource ?? {})).toEqual(["vault_kubernetes_auth_backend_role"]);
    expect(loginNamespace).toBe("team-a");
  });

  test("GIVEN a mount created in this app WHEN synthesized THEN the role refers to the mount's path, so it is created after it", () => {
    const { json } = synth((s) => {
      const auth = new KubernetesAuthBackend(s, "K8sAuth", { kubernetesHost: "https://10.0.0.1:6443" });
      new KubernetesAuthRole(s, "K8s", { ...role, auth });
    });
    expect(Object.keys(resources(json, "vault_auth_backend"))).toHaveLength(1);
    expect(only(json, "vault_kubernetes_auth_backend_role").backend).toMatch(
      /^\$\{vault_auth_backend\.K8sAuth_[0-9A-F]+\.path\}$/,
    );
  });
});
