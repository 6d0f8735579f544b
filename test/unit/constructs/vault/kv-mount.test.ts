import { KvSecretBackendV2 } from "@cdktf/provider-vault/lib/kv-secret-backend-v2";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Token } from "cdktf";
import { AppRoleAuth, KvMount, KvVersion, VaultNamespace } from "../../../../constructs";
import { only, resources, synth } from "./synth";

describe("KvMount", () => {
  test("GIVEN no props WHEN synthesized THEN a K/V v1 mount at kv is created", () => {
    const { text } = synth((s) => new KvMount(s, "Kv"));
    expect(text).toHaveResourceWithProperties(Mount, { path: "kv", type: "kv", options: { version: "1" } });
  });

  test("GIVEN K/V v1 WHEN synthesized THEN no v2 engine config is created", () => {
    const { text } = synth((s) => new KvMount(s, "Kv"));
    expect(text).not.toHaveResource(KvSecretBackendV2);
  });

  test("GIVEN K/V v2 WHEN synthesized THEN the engine config never prunes versions", () => {
    const { json } = synth((s) => new KvMount(s, "Kv", { version: KvVersion.V2, path: "keys" }));
    expect(only(json, "vault_mount").options).toEqual({ version: "2" });
    expect(only(json, "vault_kv_secret_backend_v2")).toMatchObject({
      delete_version_after: 0,
      max_versions: 0,
      cas_required: false,
    });
    expect(only(json, "vault_kv_secret_backend_v2").mount).toMatch(/^\$\{vault_mount\.\S+\.path\}$/);
  });

  test("GIVEN an existing namespace WHEN synthesized THEN the mount is placed in it", () => {
    const { text } = synth(
      (s) => new KvMount(s, "Kv", { namespace: VaultNamespace.fromPath(s, "TenantA", "tenant-a") }),
    );
    expect(text).toHaveResourceWithProperties(Mount, { namespace: "tenant-a" });
  });

  test("GIVEN fromExisting WHEN used THEN it is a construct of the tree that creates nothing, and the path is the literal", () => {
    let mount: ReturnType<typeof KvMount.fromExisting> | undefined;
    const { json } = synth((s) => {
      mount = KvMount.fromExisting(s, "Shared", "kv", KvVersion.V2);
    });
    expect(resources(json, "vault_mount")).toEqual({});
    expect(mount?.kvMountPath).toBe("kv");
    expect(mount?.node.path).toBe("stack/Shared");
  });

  test("GIVEN AppRoleAuth.fromExisting WHEN used THEN it is a construct of the tree that creates nothing", () => {
    let auth: ReturnType<typeof AppRoleAuth.fromExisting> | undefined;
    const { json } = synth((s) => {
      auth = AppRoleAuth.fromExisting(s, "Shared", "approle", VaultNamespace.fromPath(s, "TeamA", "team-a"));
    });
    expect(resources(json, "vault_auth_backend")).toEqual({});
    expect([auth?.authPath, auth?.authNamespace?.namespacePathLiteral, auth?.node.path]).toEqual([
      "approle",
      "team-a",
      "stack/Shared",
    ]);
  });

  test("GIVEN created mounts and a namespace WHEN read THEN each attribute is a token and its literal the path as written", () => {
    let seen: string[] = [];
    synth((s) => {
      const ns = new VaultNamespace(s, "Ns", { path: "tenants/payments" });
      const kv = new KvMount(s, "Kv", { path: "keys", namespace: ns });
      const auth = new AppRoleAuth(s, "Auth", { path: "kes-login", namespace: ns });
      seen = [ns.namespacePath, kv.kvMountPath, auth.authPath];
      expect([ns.namespacePathLiteral, kv.kvMountPathLiteral, auth.authPathLiteral]).toEqual([
        "tenants/payments",
        "keys",
        "kes-login",
      ]);
    });
    expect(seen.map((v) => Token.isUnresolved(v))).toEqual([true, true, true]);
  });

  test("fails when maxVersions would prune version 1", () => {
    expect(() => synth((s) => new KvMount(s, "Kv", { version: KvVersion.V2, maxVersions: 3 }))).toThrow(
      "kvMaxVersions 3 prunes version 1, which the key server always reads, after 3 writes to a key",
    );
  });

  test("fails when fromExisting gets a reserved path", () => {
    expect(() => synth((s) => KvMount.fromExisting(s, "Kv", "sys", KvVersion.V1))).toThrow(
      'kvEngine "sys" uses the reserved vault path "sys": use a path like "kv"',
    );
  });
});
