import { Namespace } from "@cdktf/provider-vault/lib/namespace";
import { Token, type TerraformStack } from "cdktf";
import { Keystore, KvMount, VaultNamespace, type IVaultNamespace } from "../../../../constructs";
import { only, resources, synth } from "./synth";

/** Runs `build` in a synthesized stack and returns what it returned. */
function inStack<T>(build: (s: TerraformStack) => T): { value: T; json: ReturnType<typeof synth>["json"] } {
  let value: T | undefined;
  const { json } = synth((s) => {
    value = build(s);
  });
  return { value: value as T, json };
}

describe("VaultNamespace", () => {
  test("GIVEN a nested path WHEN synthesized THEN the last segment is created in its parent and namespacePath is its path_fq", () => {
    const { value: ns, json } = inStack((s) => new VaultNamespace(s, "Ns", { path: "tenants/payments" }));
    expect(only(json, "vault_namespace")).toMatchObject({ path: "payments", namespace: "tenants" });
    expect([Token.isUnresolved(ns.namespacePath), ns.namespacePathLiteral]).toEqual([
      true,
      "tenants/payments",
    ]);
    expect(ns.namespace).toBeInstanceOf(Namespace);
  });

  test("GIVEN fromPath WHEN used THEN it is a construct of the tree that creates nothing, with the path as attribute and literal", () => {
    const { value: ns, json } = inStack((s) => VaultNamespace.fromPath(s, "Team", "tenants/team-a"));
    expect(resources(json, "vault_namespace")).toEqual({});
    expect([ns.node.path, ns.namespacePath, ns.namespacePathLiteral]).toEqual([
      "stack/Team",
      "tenants/team-a",
      "tenants/team-a",
    ]);
  });

  test("GIVEN fromPath WHEN a mount is placed in it THEN the mount names the namespace literally", () => {
    const { json } = inStack(
      (s) => new KvMount(s, "Kv", { namespace: VaultNamespace.fromPath(s, "Ns", "tenant-a") }),
    );
    expect(only(json, "vault_mount").namespace).toBe("tenant-a");
  });

  test("fails when fromPath is given a traversal", () => {
    expect(() => inStack((s) => VaultNamespace.fromPath(s, "Ns", "a/.."))).toThrow(
      'namespace "a/.." must not contain "." or ".." segments (path traversal)',
    );
  });

  test("fails when fromPath is given a reserved name", () => {
    expect(() => inStack((s) => VaultNamespace.fromPath(s, "Ns", "team/sys"))).toThrow(
      'namespace "team/sys" uses the reserved namespace name "sys": use a tenant name like "payments"',
    );
  });

  test("fails when fromPath is given a token", () => {
    expect(() =>
      inStack((s) =>
        VaultNamespace.fromPath(s, "Ns", new VaultNamespace(s, "Made", { path: "a" }).namespacePath),
      ),
    ).toThrow(
      "namespace is an unresolved token, but the policy and key server config are rendered at synth time",
    );
  });

  describe("forLogin", () => {
    const own = (s: TerraformStack): IVaultNamespace =>
      new VaultNamespace(s, "Own", { path: "tenants/payments" });

    test("GIVEN no authNamespace WHEN resolved THEN the keystore's own namespace is used", () => {
      const { value } = inStack((s) => {
        const ns = own(s);
        return [ns, VaultNamespace.forLogin(s, "Auth", ns, undefined)];
      });
      expect(value[1]).toBe(value[0]);
    });

    test.each(["/", ""])("GIVEN authNamespace %j WHEN resolved THEN it is the root namespace", (root) => {
      const { value } = inStack((s) => VaultNamespace.forLogin(s, "Auth", own(s), root));
      expect(value).toBeUndefined();
    });

    test("GIVEN an ancestor WHEN resolved THEN it is imported under the given id", () => {
      const { value, json } = inStack((s) => VaultNamespace.forLogin(s, "Auth", own(s), "tenants"));
      expect([value?.node.path, value?.namespacePath, value?.namespacePathLiteral]).toEqual([
        "stack/Auth",
        "tenants",
        "tenants",
      ]);
      expect(Object.keys(resources(json, "vault_namespace"))).toHaveLength(1);
    });

    test("GIVEN the keystore's own path WHEN resolved THEN the own namespace (and its creation order) is kept", () => {
      const { value } = inStack((s) => {
        const ns = own(s);
        return [ns, VaultNamespace.forLogin(s, "Auth", ns, "tenants/payments")];
      });
      expect(value[1]).toBe(value[0]);
    });

    test("fails when authNamespace is not an ancestor of the namespace", () => {
      expect(() => inStack((s) => VaultNamespace.forLogin(s, "Auth", own(s), "other"))).toThrow(
        'authNamespace "other" is not namespace "tenants/payments" nor one of its ancestors, so its tokens cannot reach the keystore: use "/" (root) or an ancestor such as "tenants"',
      );
    });

    test("fails when authNamespace is malformed", () => {
      expect(() => inStack((s) => VaultNamespace.forLogin(s, "Auth", undefined, "a//b"))).toThrow(
        /^authNamespace "a\/\/b"/,
      );
    });
  });

  test("GIVEN a keystore with an existing namespace and an ancestor auth namespace WHEN built THEN both are imported under Namespace and AuthNamespace", () => {
    const { value: ks, json } = inStack(
      (s) =>
        new Keystore(s, "Payments", {
          prefix: "payments",
          namespace: "tenants/payments",
          authNamespace: "tenants",
          createNamespace: false,
        }),
    );
    expect(resources(json, "vault_namespace")).toEqual({});
    const imported = ["Namespace", "AuthNamespace"].map((id) => {
      const child = ks.node.findChild(id) as unknown as IVaultNamespace;
      return [child.node.path, child.namespacePathLiteral];
    });
    expect(imported).toEqual([
      ["stack/Payments/Namespace", "tenants/payments"],
      ["stack/Payments/AuthNamespace", "tenants"],
    ]);
    expect(only(json, "vault_policy").namespace).toBe("tenants");
  });
});
