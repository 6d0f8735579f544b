import { keystoreConflicts, type KeystoreFootprint } from "../../../../constructs/vault/keystore-conflicts";

const ks = (path: string, over: Partial<KeystoreFootprint> = {}): KeystoreFootprint => ({
  path,
  vault: "VAULT_ADDR",
  namespace: "",
  kvEngine: "kv",
  prefix: path,
  authNamespace: "",
  authEngine: "approle",
  policyName: `kes-kv-${path}`,
  roleName: `kes-kv-${path}`,
  ...over,
});

const problems = (...k: KeystoreFootprint[]) => [...keystoreConflicts(k).values()].flat();

describe("keystoreConflicts", () => {
  test("GIVEN prefixes near each other but none inside another WHEN checked THEN there is no conflict", () => {
    expect(
      problems(ks("t"), ks("t-1"), ks("t1"), ks("tt"), ks("eu-shop"), ks("eu", { prefix: "eu/shop2" })),
    ).toEqual([]);
  });

  test("fails when two keystores share a prefix on one mount", () => {
    const found = keystoreConflicts([ks("a"), ks("b", { prefix: "a" })]);
    expect([...found.keys()]).toEqual([1]);
    expect(found.get(1)?.[0]).toMatch(
      /^prefix "a" on mount "kv" in the root namespace is also the prefix of keystore a/,
    );
  });

  test("fails when a prefix lies inside another's, whichever comes first", () => {
    for (const order of [
      [ks("a"), ks("ab", { prefix: "a/b" })],
      [ks("ab", { prefix: "a/b" }), ks("a")],
    ]) {
      const msg = problems(...order);
      expect(msg).toHaveLength(1);
      expect(msg[0]).toMatch(/kv\/a\/\* also covers kv\/a\/b\/\*/);
      expect(msg[0]).toContain("keystore a");
      expect(msg[0]).toContain('"a/b"');
    }
  });

  test("GIVEN the same prefix on other mounts, namespaces or Vaults WHEN checked THEN there is no prefix conflict", () => {
    expect(
      problems(
        ks("a"),
        ks("b", { prefix: "a", kvEngine: "kv2", policyName: "p2", roleName: "r2" }),
        ks("c", { prefix: "a", namespace: "n", policyName: "p3", roleName: "r3" }),
        ks("d", { prefix: "a", vault: "https://other:8200" }),
      ),
    ).toEqual([]);
  });

  test("fails when two keystores of one Vault namespace share a policy name", () => {
    expect(problems(ks("a"), ks("b", { policyName: "kes-kv-a" }))).toEqual([
      expect.stringMatching(
        /^policy name "kes-kv-a" in the root namespace is also the policy name of keystore a/,
      ),
    ]);
  });

  test("fails when two keystores share a role name on one auth mount", () => {
    expect(problems(ks("a"), ks("b", { roleName: "kes-kv-a" }))).toEqual([
      expect.stringMatching(
        /^role name "kes-kv-a" on auth mount "approle" in the root namespace is also the role of keystore a/,
      ),
    ]);
  });

  test("GIVEN one role name on two auth mounts, or one policy name in two namespaces WHEN checked THEN there is no conflict", () => {
    expect(problems(ks("a"), ks("b", { roleName: "kes-kv-a", authEngine: "approle2" }))).toEqual([]);
    expect(
      problems(ks("a"), ks("b", { policyName: "kes-kv-a", roleName: "kes-kv-a", authNamespace: "t" })),
    ).toEqual([]);
  });
});
