import { Token } from "cdktf";
import { KvVersion, VaultAuthMethod } from "../../../../constructs";
import {
  resolveKeystoreSpec,
  type KeystoreSpecProps,
} from "../../../../constructs/vault/keystore-spec-validation";

describe("resolveKeystoreSpec defaults", () => {
  test("GIVEN only a prefix WHEN resolved THEN the KES defaults apply: kv, v1, approle, root namespace, derived names", () => {
    const r = resolveKeystoreSpec({ prefix: "payments" });
    expect(r).toEqual({
      kvEngine: "kv",
      kvVersion: KvVersion.V1,
      prefix: "payments",
      namespace: undefined,
      authNamespace: undefined,
      authMethod: VaultAuthMethod.APPROLE,
      authEngine: "approle",
      transit: undefined,
      kvMaxVersions: 0,
      policyName: "kes-kv-payments",
      roleName: "kes-kv-payments",
    });
  });

  test("GIVEN a nested mixed-case prefix WHEN resolved THEN the derived policy name is a lowercase slug with a hash of the exact path", () => {
    expect(resolveKeystoreSpec({ prefix: "Tenants/Payments", kvEngine: "secret/kes" }).policyName).toMatch(
      /^kes-secret-kes-tenants-payments\.[0-9a-f]{12}$/,
    );
  });

  test("GIVEN a keystore in a child namespace of the auth namespace WHEN resolved THEN its names differ from the same prefix in another child", () => {
    const a = resolveKeystoreSpec({ prefix: "p", namespace: "t/a", authNamespace: "t" });
    const b = resolveKeystoreSpec({ prefix: "p", namespace: "t/b", authNamespace: "t" });
    expect(a.policyName).toMatch(/^kes-a-kv-p\.[0-9a-f]{12}$/);
    expect(a.policyName).not.toBe(b.policyName);
    expect(a.roleName).toBe(a.policyName);
  });

  test("GIVEN Kubernetes login WHEN resolved THEN the auth engine defaults to kubernetes", () => {
    expect(resolveKeystoreSpec({ prefix: "p", authMethod: VaultAuthMethod.KUBERNETES }).authEngine).toBe(
      "kubernetes",
    );
  });

  test("GIVEN transit with only a key WHEN resolved THEN the engine defaults to transit", () => {
    expect(resolveKeystoreSpec({ prefix: "p", transit: { key: "kes-p" } }).transit).toEqual({
      engine: "transit",
      key: "kes-p",
    });
  });

  test('GIVEN authNamespace "/" WHEN resolved THEN the auth namespace is the root ("")', () => {
    expect(resolveKeystoreSpec({ prefix: "p", namespace: "a/b", authNamespace: "/" }).authNamespace).toBe("");
  });

  test("GIVEN authNamespace equal to namespace WHEN resolved THEN it is dropped (same namespace)", () => {
    expect(
      resolveKeystoreSpec({ prefix: "p", namespace: "a", authNamespace: "a" }).authNamespace,
    ).toBeUndefined();
  });

  test("GIVEN an ancestor authNamespace WHEN resolved THEN it is kept", () => {
    expect(resolveKeystoreSpec({ prefix: "p", namespace: "a/b", authNamespace: "a" }).authNamespace).toBe(
      "a",
    );
  });

  test("GIVEN a v2 spec with kvMaxVersions 10 WHEN resolved THEN it is accepted", () => {
    expect(
      resolveKeystoreSpec({ prefix: "p", kvVersion: KvVersion.V2, kvMaxVersions: 10 }).kvMaxVersions,
    ).toBe(10);
  });
});

// One row per validation rule: the props and the exact message.
const failures: ReadonlyArray<[string, KeystoreSpecProps, string]> = [
  [
    "the prefix is empty",
    { prefix: "" },
    'prefix "" must not be empty: every tenant needs its own prefix, use a tenant name like "payments"',
  ],
  [
    "the prefix starts with a slash",
    { prefix: "/payments" },
    `prefix "/payments" must not start or end with '/': use a path like "payments" or "tenants/payments"`,
  ],
  [
    "the prefix ends with a slash",
    { prefix: "payments/" },
    `prefix "payments/" must not start or end with '/': use a path like "payments" or "tenants/payments"`,
  ],
  [
    "the prefix has an empty segment",
    { prefix: "a//b" },
    `prefix "a//b" must not contain empty segments ('//'): use a path like "payments" or "tenants/payments"`,
  ],
  [
    "the prefix traverses with ..",
    { prefix: "a/../b" },
    'prefix "a/../b" must not contain "." or ".." segments (path traversal): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix is .",
    { prefix: "." },
    'prefix "." must not contain "." or ".." segments (path traversal): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix holds a policy glob",
    { prefix: "pay*" },
    'prefix "pay*" has segment "pay*", but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix holds a + glob",
    { prefix: "a/+/b" },
    'prefix "a/+/b" has segment "+", but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix holds a quote",
    { prefix: 'a"b' },
    'prefix "a\\"b" has segment "a\\"b", but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix holds a space",
    { prefix: "team a" },
    'prefix "team a" has segment "team a", but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the prefix is too long",
    { prefix: "a".repeat(129) },
    `prefix "${"a".repeat(129)}" must be at most 128 characters (it has 129): use a path like "payments" or "tenants/payments"`,
  ],
  [
    "the prefix is an unresolved token",
    { prefix: Token.asString({ Ref: "x" }) },
    'prefix is an unresolved token, but the policy and key server config are rendered at synth time: pass a literal such as "payments" or "tenants/payments"',
  ],
  [
    "the kv engine is empty",
    { prefix: "p", kvEngine: "" },
    'kvEngine "" must not be empty: use a path like "kv"',
  ],
  [
    "the kv engine is sys",
    { prefix: "p", kvEngine: "sys" },
    'kvEngine "sys" uses the reserved vault path "sys": use a path like "kv"',
  ],
  [
    "the kv engine is under auth/",
    { prefix: "p", kvEngine: "auth/kv" },
    'kvEngine "auth/kv" uses the reserved vault path "auth": use a path like "kv"',
  ],
  [
    "the kv engine traverses",
    { prefix: "p", kvEngine: "kv/.." },
    'kvEngine "kv/.." must not contain "." or ".." segments (path traversal): use a path like "kv"',
  ],
  [
    "the namespace is malformed",
    { prefix: "p", namespace: "a b" },
    'namespace "a b" has segment "a b", but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces): use a path like "payments" or "tenants/payments"',
  ],
  [
    "the namespace uses a reserved name",
    { prefix: "p", namespace: "tenants/sys" },
    'namespace "tenants/sys" uses the reserved namespace name "sys": use a tenant name like "payments"',
  ],
  [
    "the namespace is root",
    { prefix: "p", namespace: "root" },
    'namespace "root" uses the reserved namespace name "root": use a tenant name like "payments"',
  ],
  [
    "an auth namespace comes without a namespace",
    { prefix: "p", authNamespace: "/" },
    'authNamespace "/" is set but namespace is not: set namespace too, or drop authNamespace (the auth mount is then in the root namespace)',
  ],
  [
    "the auth namespace is not an ancestor",
    { prefix: "p", namespace: "a/b", authNamespace: "c" },
    'authNamespace "c" is not namespace "a/b" nor one of its ancestors, so its tokens cannot reach the keystore: use "/" (root) or an ancestor such as "a"',
  ],
  [
    "the auth namespace is a sibling sharing a name prefix",
    { prefix: "p", namespace: "ab", authNamespace: "a" },
    'authNamespace "a" is not namespace "ab" nor one of its ancestors, so its tokens cannot reach the keystore: use "/" (root) or an ancestor such as "ab"',
  ],
  [
    "the auth engine is token",
    { prefix: "p", authEngine: "token" },
    'authEngine "token" uses the reserved auth path "token": use a path like "approle"',
  ],
  [
    "v2 prunes with delete_version_after",
    { prefix: "p", kvVersion: KvVersion.V2, kvDeleteVersionAfterSeconds: 3600 },
    "kvDeleteVersionAfterSeconds 3600 prunes key versions, and the key server keeps each key in version 1 only, so keys would vanish: leave it at 0",
  ],
  [
    "v2 keeps too few versions",
    { prefix: "p", kvVersion: KvVersion.V2, kvMaxVersions: 2 },
    "kvMaxVersions 2 prunes version 1, which the key server always reads, after 2 writes to a key: leave it at 0 (vault's default of 10) or set 10 or more",
  ],
  [
    "the max versions are negative",
    { prefix: "p", kvVersion: KvVersion.V2, kvMaxVersions: -1 },
    "kvMaxVersions -1 must be a whole number of at least 0",
  ],
  [
    "a v1 spec sets max versions",
    { prefix: "p", kvMaxVersions: 20 },
    "kvMaxVersions 20 applies only to k/v version 2: drop it, or use KvVersion.V2",
  ],
  [
    "transit rotates",
    { prefix: "p", transit: { key: "k", autoRotatePeriodSeconds: 86400 } },
    'transit.autoRotatePeriodSeconds 86400 enables rotation, but the key server only reads "vault:v1:" ciphertexts, so a rotated transit key breaks key creation: leave it at 0',
  ],
  [
    "transit raises min_decryption_version",
    { prefix: "p", transit: { key: "k", minDecryptionVersion: 2 } },
    'transit.minDecryptionVersion 2 must be 1: the stored keys are "vault:v1:" ciphertexts and a higher value makes them unreadable',
  ],
  [
    "the transit key name is malformed",
    { prefix: "p", transit: { key: "a/b" } },
    'transit.key "a/b" must match [A-Za-z0-9][A-Za-z0-9_-]{0,79}: use a key name like "kes-payments"',
  ],
  [
    "the transit engine is the kv engine",
    { prefix: "p", transit: { engine: "kv", key: "k" } },
    'transit.engine "kv" is the same path as kvEngine: mount transit elsewhere, e.g. "transit"',
  ],
  [
    "the transit engine is reserved",
    { prefix: "p", transit: { engine: "cubbyhole", key: "k" } },
    'transit.engine "cubbyhole" uses the reserved vault path "cubbyhole": use a path like "transit"',
  ],
  [
    "the policy name has uppercase letters",
    { prefix: "p", policyName: "KES" },
    'policyName "KES" must match [a-z0-9][a-z0-9_.-]* (at most 128 characters; vault lowercases names): use a name like "kes-payments"',
  ],
  [
    "the policy name is built in",
    { prefix: "p", policyName: "default" },
    'policyName "default" is a built-in vault policy name: use a name like "kes-payments"',
  ],
  [
    "the role name is malformed",
    { prefix: "p", roleName: "a b" },
    'roleName "a b" must match [a-z0-9][a-z0-9_.-]* (at most 128 characters; vault lowercases names): use a name like "kes-payments"',
  ],
];

describe("resolveKeystoreSpec validation", () => {
  test.each(failures)("fails when %s", (_what, props, message) => {
    expect(() => resolveKeystoreSpec(props)).toThrow(message);
  });

  test("fails when kvVersion is not a KvVersion", () => {
    expect(() => resolveKeystoreSpec({ prefix: "p", kvVersion: 2 as unknown as KvVersion })).toThrow(
      "kvVersion 2 is not a KvVersion: use KvVersion.V1 or KvVersion.V2",
    );
  });

  test("fails when KvVersion.of gets 3", () => {
    expect(() => KvVersion.of(3)).toThrow(
      "kvVersion 3 is not supported: use 1 (KvVersion.V1) or 2 (KvVersion.V2)",
    );
  });
});
