// What the doctor expects sys/capabilities to answer, derived from the kit's own policy rules and path check.
import { KeystoreSpec, KvVersion, keystoreAllows } from "../../../constructs/spec";
import { capabilityProbes, compareCapabilities, PROBE_KEY } from "../../../doctor/expectations";

describe("capabilityProbes", () => {
  test("GIVEN a K/V v1 prefix keystore WHEN probed THEN the key paths, listing and token self-operations are needed and the mount root, a neighbour and sys/ denied", () => {
    const probes = capabilityProbes(new KeystoreSpec({ prefix: "payments" }), "analytics");
    expect(probes.map((p) => [p.path, p.allowed])).toEqual([
      [`kv/payments/${PROBE_KEY}`, ["create", "read", "delete"]],
      ["kv/payments/", ["list"]],
      ["auth/token/renew-self", ["update"]],
      ["auth/token/lookup-self", ["read"]],
      ["kv/", []],
      [`kv/analytics/${PROBE_KEY}`, []],
      ["sys/", []],
      ["sys/policies/acl/", []],
    ]);
    // Never overwrite a key: update is among what must be denied on the key paths.
    expect(probes[0].denied).toEqual(["update", "patch", "list", "sudo"]);
  });

  test("GIVEN a K/V v2 keystore with no other tenant WHEN probed THEN data and metadata paths are split and an unused neighbour prefix is denied", () => {
    const probes = capabilityProbes(new KeystoreSpec({ prefix: "payments", kvVersion: KvVersion.V2 }));
    expect(probes.map((p) => p.path)).toEqual([
      `kv/data/payments/${PROBE_KEY}`,
      `kv/metadata/payments/${PROBE_KEY}`,
      "kv/metadata/payments/",
      "auth/token/renew-self",
      "auth/token/lookup-self",
      "kv/",
      `kv/data/payments-neighbour/${PROBE_KEY}`,
      "sys/",
      "sys/policies/acl/",
    ]);
    expect(probes[1].allowed).toEqual(["delete"]);
  });

  test("GIVEN a namespace keystore authenticated at the root WHEN probed THEN paths carry the namespace as the policy does, and the kit's check agrees with every expectation", () => {
    const spec = new KeystoreSpec({ prefix: "payments", namespace: "tenant-a", authNamespace: "/" });
    const probes = capabilityProbes(spec);
    expect(probes[0].path).toBe(`tenant-a/kv/payments/${PROBE_KEY}`);
    expect(probes.find((p) => p.why.startsWith("the mount root"))?.path).toBe("tenant-a/kv/");
    for (const p of probes) {
      for (const op of p.allowed) expect(keystoreAllows(spec, { operation: op, path: p.path })).toBe(true);
      for (const op of p.denied) expect(keystoreAllows(spec, { operation: op, path: p.path })).toBe(false);
    }
  });
});

describe("compareCapabilities", () => {
  const [keys, , , , root] = capabilityProbes(new KeystoreSpec({ prefix: "payments" }));

  test("GIVEN Vault's answer equal to the rules WHEN compared THEN there is no problem", () => {
    expect(compareCapabilities(keys, ["create", "delete", "read"])).toEqual([]);
    expect(compareCapabilities(root, ["deny"])).toEqual([]);
  });

  test("GIVEN a policy narrowed by hand WHEN compared THEN the missing capability and its reason are named", () => {
    expect(compareCapabilities(keys, ["read"])).toEqual([
      `kv/payments/${PROBE_KEY}: missing create, delete (keys: existence check, create, read, delete)`,
    ]);
  });

  test("GIVEN a policy widened by hand WHEN compared THEN the extra capability on the forbidden path is named", () => {
    expect(compareCapabilities(keys, ["create", "read", "delete", "update"])).toEqual([
      `kv/payments/${PROBE_KEY}: update granted on keys: existence check, create, read, delete`,
    ]);
    expect(compareCapabilities(root, ["list"])).toEqual([
      "kv/: list granted on the mount root (every tenant's keys)",
    ]);
    expect(compareCapabilities(root, ["root"])).toEqual([
      "kv/: root capabilities granted (the mount root (every tenant's keys))",
    ]);
  });
});
