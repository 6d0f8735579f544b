import { KeystoreSpec, KvVersion, VaultAuthMethod } from "../../../../constructs";

describe("KeystoreSpec.keystoreConfig", () => {
  test("GIVEN the defaults WHEN the key server config is derived THEN it names kv, v1, the prefix and the approle mount", () => {
    expect(new KeystoreSpec({ prefix: "payments" }).keystoreConfig()).toEqual({
      engine: "kv",
      version: "v1",
      prefix: "payments",
      approle: { engine: "approle" },
    });
  });

  test("GIVEN an endpoint, v2, a namespace and transit WHEN derived THEN every field is present, as KES names them", () => {
    const spec = new KeystoreSpec({
      prefix: "p",
      kvVersion: KvVersion.V2,
      namespace: "t/p",
      transit: { engine: "tr", key: "k" },
    });
    expect(spec.keystoreConfig("https://vault:8200")).toEqual({
      endpoint: "https://vault:8200",
      engine: "kv",
      version: "v2",
      prefix: "p",
      namespace: "t/p",
      approle: { engine: "approle" },
      transit: { engine: "tr", key: "k" },
    });
  });

  test('GIVEN the auth mount in the root namespace WHEN derived THEN approle.namespace is "/"', () => {
    expect(
      new KeystoreSpec({ prefix: "p", namespace: "t", authNamespace: "/" }).keystoreConfig().approle,
    ).toEqual({ engine: "approle", namespace: "/" });
  });

  test("GIVEN Kubernetes login WHEN derived THEN a kubernetes block with the role replaces approle", () => {
    const config = new KeystoreSpec({
      prefix: "p",
      authMethod: VaultAuthMethod.KUBERNETES,
      roleName: "kes-p",
    }).keystoreConfig();
    expect(config.kubernetes).toEqual({ engine: "kubernetes", role: "kes-p" });
    expect(config.approle).toBeUndefined();
  });
});

describe("KeystoreSpec paths", () => {
  const cases: ReadonlyArray<[string, KvVersion, string, string, string]> = [
    ["v1", KvVersion.V1, "kv/t/p/k1", "kv/t/p/k1", "kv/t/p"],
    ["v2", KvVersion.V2, "kv/data/t/p/k1", "kv/metadata/t/p/k1", "kv/metadata/t/p"],
  ];
  test.each(cases)(
    "GIVEN K/V %s WHEN the key server paths are asked for THEN they follow KES' layout",
    (_v, kvVersion, data, del, list) => {
      const spec = new KeystoreSpec({ prefix: "t/p", kvVersion });
      expect([spec.keyDataPath("k1"), spec.keyDeletePath("k1"), spec.listPath()]).toEqual([data, del, list]);
    },
  );

  const namespaces: ReadonlyArray<[string, string | undefined, string | undefined, string, string]> = [
    ["root only", undefined, undefined, "", ""],
    ["one namespace", "a/b", undefined, "a/b", ""],
    ["auth in the root", "a/b", "/", "", "a/b/"],
    ["auth in the parent", "a/b", "a", "a", "b/"],
  ];
  test.each(namespaces)(
    "GIVEN %s WHEN the auth namespace and relative path are asked for THEN they match",
    (_c, namespace, authNamespace, home, rel) => {
      const spec = new KeystoreSpec({ prefix: "p", namespace, authNamespace });
      expect([spec.effectiveAuthNamespace, spec.namespaceFromAuth]).toEqual([home, rel]);
    },
  );
});
