import {
  keystoreAllows,
  KeystoreSpec,
  KvVersion,
  rulesAllow,
  type VaultRequest,
} from "../../../../constructs/spec";

const v1 = new KeystoreSpec({ prefix: "payments", transit: { key: "kes-payments" } });
const v2 = new KeystoreSpec({ prefix: "payments", kvVersion: KvVersion.V2 });
const ns = new KeystoreSpec({ prefix: "payments", namespace: "tenant-a" });
const rootAuth = new KeystoreSpec({ prefix: "payments", namespace: "tenant-a", authNamespace: "/" });

const table: ReadonlyArray<[string, KeystoreSpec, VaultRequest, boolean]> = [
  ["v1 read of a key", v1, { operation: "read", path: "kv/payments/k" }, true],
  ["v1 create of a key", v1, { operation: "create", path: "kv/payments/k" }, true],
  ["v1 overwrite of a key", v1, { operation: "update", path: "kv/payments/k" }, false],
  ["v1 delete of a key", v1, { operation: "delete", path: "kv/payments/k" }, true],
  ["v1 list of the prefix", v1, { operation: "list", path: "kv/payments" }, true],
  ["v1 list of a sub-folder", v1, { operation: "list", path: "kv/payments/sub" }, false],
  ["v1 list of the mount root", v1, { operation: "list", path: "kv" }, false],
  [
    "v1 read of a sibling prefix sharing the name",
    v1,
    { operation: "read", path: "kv/payments-eu/k" },
    false,
  ],
  ["v1 read of another tenant", v1, { operation: "read", path: "kv/analytics/k" }, false],
  ["transit encrypt with the key", v1, { operation: "update", path: "transit/encrypt/kes-payments" }, true],
  ["transit encrypt with another key", v1, { operation: "update", path: "transit/encrypt/other" }, false],
  ["transit key rotation", v1, { operation: "update", path: "transit/keys/kes-payments/rotate" }, false],
  ["token renew-self", v1, { operation: "update", path: "auth/token/renew-self" }, true],
  ["token lookup-self", v1, { operation: "read", path: "auth/token/lookup-self" }, true],
  ["token create", v1, { operation: "update", path: "auth/token/create" }, false],
  ["sys/mounts", v1, { operation: "read", path: "sys/mounts" }, false],
  ["v2 read of version 1", v2, { operation: "read", path: "kv/data/payments/k" }, true],
  ["v2 create", v2, { operation: "create", path: "kv/data/payments/k" }, true],
  ["v2 overwrite", v2, { operation: "update", path: "kv/data/payments/k" }, false],
  ["v2 delete of the data (one version)", v2, { operation: "delete", path: "kv/data/payments/k" }, false],
  ["v2 delete of the metadata", v2, { operation: "delete", path: "kv/metadata/payments/k" }, true],
  ["v2 list of the metadata", v2, { operation: "list", path: "kv/metadata/payments/" }, true],
  ["v2 read of the metadata", v2, { operation: "read", path: "kv/metadata/payments/k" }, false],
  ["v2 destroy of versions", v2, { operation: "update", path: "kv/destroy/payments/k" }, false],
  [
    "namespace mode, through the header",
    ns,
    { operation: "read", path: "kv/payments/k", namespace: "tenant-a" },
    true,
  ],
  ["namespace mode, through the path", ns, { operation: "read", path: "tenant-a/kv/payments/k" }, true],
  ["namespace mode, without the namespace", ns, { operation: "read", path: "kv/payments/k" }, false],
  [
    "namespace mode, another namespace",
    ns,
    { operation: "read", path: "kv/payments/k", namespace: "tenant-b" },
    false,
  ],
  [
    "namespace mode, renew-self in the namespace",
    ns,
    { operation: "update", path: "auth/token/renew-self", namespace: "tenant-a" },
    true,
  ],
  [
    "root auth, keystore through the header",
    rootAuth,
    { operation: "read", path: "kv/payments/k", namespace: "tenant-a" },
    true,
  ],
  [
    "root auth, renew-self in the root",
    rootAuth,
    { operation: "update", path: "auth/token/renew-self" },
    true,
  ],
  [
    "root auth, renew-self through the keystore namespace",
    rootAuth,
    { operation: "update", path: "auth/token/renew-self", namespace: "tenant-a" },
    true,
  ],
  [
    "namespace mode, renew-self through another namespace",
    ns,
    { operation: "update", path: "auth/token/renew-self", namespace: "tenant-b" },
    false,
  ],
  ["root auth, the root K/V", rootAuth, { operation: "read", path: "kv/payments/k" }, false],
];

describe("keystoreAllows", () => {
  test.each(table)("GIVEN %s WHEN checked THEN allowed is %s", (_what, spec, request, allowed) => {
    expect(keystoreAllows(spec, request)).toBe(allowed);
  });
});

describe("rulesAllow", () => {
  test("GIVEN an exact rule and a glob over it WHEN the exact path is checked THEN the exact rule wins, as in Vault", () => {
    const rules = [
      { path: "a/*", capabilities: ["read"] as const, reason: "" },
      { path: "a/b", capabilities: ["list"] as const, reason: "" },
    ];
    expect([rulesAllow(rules, "read", "a/b"), rulesAllow(rules, "read", "a/c")]).toEqual([false, true]);
  });

  test("GIVEN two globs WHEN a path matches both THEN the longer prefix wins", () => {
    const rules = [
      { path: "a/*", capabilities: ["read"] as const, reason: "" },
      { path: "a/b/*", capabilities: ["list"] as const, reason: "" },
    ];
    expect(rulesAllow(rules, "read", "a/b/c")).toBe(false);
  });

  test("GIVEN a deny rule WHEN checked THEN deny wins over the capability", () => {
    expect(rulesAllow([{ path: "a", capabilities: ["read", "deny"], reason: "" }], "read", "a")).toBe(false);
  });
});
