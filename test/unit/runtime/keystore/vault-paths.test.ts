import { joinVaultPath, kvPaths } from "../../../../runtime/src/keystore/vault-paths";

describe("kvPaths", () => {
  test.each([
    ["kv", "v1", "tenant-a", "kv/tenant-a/my-key", "kv/tenant-a/my-key", "kv/tenant-a"],
    ["kv", "v1", "", "kv/my-key", "kv/my-key", "kv"],
    [
      "secret",
      "v2",
      "tenant-a",
      "secret/data/tenant-a/my-key",
      "secret/metadata/tenant-a/my-key",
      "secret/metadata/tenant-a",
    ],
    ["kv2", "v2", "", "kv2/data/my-key", "kv2/metadata/my-key", "kv2/metadata"],
    ["/kv/", "v1", "/a//b/", "kv/a/b/my-key", "kv/a/b/my-key", "kv/a/b"],
  ] as const)(
    "GIVEN engine %s %s prefix '%s' THEN entry %s, delete %s, list %s",
    (engine, version, prefix, entry, del, list) => {
      const p = kvPaths(engine, version, prefix);
      expect([p.entry("my-key"), p.read("my-key"), p.delete("my-key"), p.list]).toEqual([
        entry,
        entry,
        del,
        list,
      ]);
    },
  );

  test("GIVEN K/V v2 WHEN reading THEN version 1 is asked for, as KES does", () => {
    expect(kvPaths("kv", "v2").readQuery).toEqual({ version: "1" });
    expect(kvPaths("kv", "v1").readQuery).toEqual({});
  });
});

describe("joinVaultPath", () => {
  test("GIVEN empty segments and extra slashes WHEN joined THEN they vanish, as Go's path.Join", () => {
    expect(joinVaultPath("auth", "", "approle/", "/login")).toBe("auth/approle/login");
  });
});
