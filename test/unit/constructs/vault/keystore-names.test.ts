import { defaultKeystoreName } from "../../../../constructs/vault/keystore-names";

const name = (kvEngine: string, prefix: string, namespaceFromAuth = "") =>
  defaultKeystoreName({ kvEngine, prefix, namespaceFromAuth });

describe("defaultKeystoreName", () => {
  test("GIVEN a plain engine and prefix in the auth namespace WHEN named THEN the name is kes-<engine>-<prefix> as before", () => {
    expect(name("kv", "payments")).toBe("kes-kv-payments");
    expect(name("kv2", "t1")).toBe("kes-kv2-t1");
  });

  test.each([
    ["slash vs dash", ["kv", "eu/shop"], ["kv", "eu-shop"]],
    ["case", ["kv", "Pay"], ["kv", "pay"]],
    ["dot vs dash", ["kv", "a.b"], ["kv", "a-b"]],
    ["underscore vs dash", ["kv", "a_b"], ["kv", "a-b"]],
    ["engine/prefix split", ["kv-a", "b"], ["kv", "a-b"]],
    ["engine/prefix split with slashes", ["kv/a", "b"], ["kv", "a/b"]],
    ["plain vs hashed look-alike", ["kv", "eu"], ["kv", "EU"]],
  ])("GIVEN two keystores differing only by %s WHEN named THEN the names differ", (_, a, b) => {
    expect(name(a[0], a[1])).not.toBe(name(b[0], b[1]));
  });

  test("GIVEN the same engine and prefix in two namespaces below one auth namespace WHEN named THEN the names differ", () => {
    expect(name("kv", "p", "team-a/")).not.toBe(name("kv", "p", "team-b/"));
    expect(name("kv", "p", "a/")).not.toBe(name("kv", "p"));
  });

  test("GIVEN a non-plain prefix WHEN named THEN the name is a readable slug, a dot and 12 hex digits", () => {
    expect(name("kv", "eu/shop")).toMatch(/^kes-kv-eu-shop\.[0-9a-f]{12}$/);
    expect(name("kv", "eu-shop")).toMatch(/^kes-kv-eu-shop\.[0-9a-f]{12}$/);
    expect(name("kv", "p", "team-a/")).toMatch(/^kes-team-a-kv-p\.[0-9a-f]{12}$/);
  });

  test("GIVEN the longest paths WHEN named THEN the name stays within Vault's 128 characters and keeps the hash", () => {
    const long = "a".repeat(60) + "/" + "b".repeat(67);
    const n = name("k".repeat(128), long, "n".repeat(100) + "/");
    expect(n.length).toBeLessThanOrEqual(128);
    expect(n).toMatch(/^kes-[a-z0-9-]+\.[0-9a-f]{12}$/);
  });

  test("GIVEN 2,112 generated near-identical keystores WHEN named THEN no two names are equal", () => {
    const seen = new Map<string, string>();
    const segments = ["t", "t-1", "t1", "tt", "T", "t_1", "t.1", "eu", "eu-shop", "eu/shop", "EU/shop"];
    let count = 0;
    for (const engine of ["kv", "kv-t", "kv/t", "KV"]) {
      for (const ns of ["", "t/", "t-1/", "eu/"]) {
        for (const a of segments) {
          for (const b of ["", ...segments]) {
            const prefix = b === "" ? a : `${a}/${b}`;
            const n = name(engine, prefix, ns);
            const what = JSON.stringify([ns, engine, prefix]);
            expect(seen.get(n) ?? what).toBe(what);
            seen.set(n, what);
            count++;
          }
        }
      }
    }
    expect(count).toBe(2112);
    expect(seen.size).toBe(count);
  });
});
