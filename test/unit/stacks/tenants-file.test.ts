import * as fs from "node:fs";
import * as path from "node:path";
import { parseTenantsFile } from "../../../stacks/tenants-file";

const EXAMPLE = path.resolve(__dirname, "..", "..", "..", "examples", "tenants.yaml");
const base = (tenants: string, extra = "") =>
  `vault: { endpoint: "https://vault:8200" }\n${extra}tenants:\n${tenants}`;

describe("parseTenantsFile", () => {
  test("GIVEN the 3-tenant example WHEN parsed THEN its tenants, isolation and defaults are read", () => {
    const f = parseTenantsFile(fs.readFileSync(EXAMPLE, "utf8"));
    expect(f.tenants.map((t) => t.name)).toEqual(["payments", "analytics", "media"]);
    expect(f.isolation).toBe("prefix");
    expect(f.tenants[2].prefix).toBe("media-eu");
    expect(f.tenants[1].prefix).toBe("analytics");
    expect(f.tenants[0].keyServer.replicas).toBe(3);
    expect(f.vault).toMatchObject({ kvEngine: "kv", kvVersion: 1, authEngine: "approle" });
  });

  test("GIVEN namespace isolation WHEN parsed THEN each tenant gets a Vault namespace named after it", () => {
    const f = parseTenantsFile(
      base("  - name: blue\n  - name: green\n    vaultNamespace: team-green\n", "isolation: namespace\n"),
    );
    expect(f.tenants.map((t) => t.vaultNamespace)).toEqual(["blue", "team-green"]);
  });

  test("fails when the YAML is broken", () => {
    expect(() => parseTenantsFile("tenants: [", "tenants.yaml")).toThrow("tenants.yaml: invalid YAML:");
  });

  test("fails when two tenants share a name", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    prefix: x\n  - name: a\n    prefix: y\n"))).toThrow(
      'tenant "a": name "a" clashes with tenant "a"',
    );
  });

  test("fails when two tenants share a prefix", () => {
    expect(() =>
      parseTenantsFile(
        base(
          "  - name: a\n    prefix: shared\n  - name: b\n    prefix: shared\n    kubernetesNamespace: b\n",
        ),
      ),
    ).toThrow(
      'tenant "b": prefix "shared" clashes with tenant "a" ("shared"): give each tenant its own prefix',
    );
  });

  test("fails when one tenant's prefix lies under another's", () => {
    expect(() =>
      parseTenantsFile(base("  - name: a\n    prefix: eu\n  - name: b\n    prefix: eu/b\n")),
    ).toThrow('tenant "b": prefix "eu/b" clashes with tenant "a" ("eu")');
  });

  test("fails when two tenants share a Kubernetes namespace", () => {
    expect(() =>
      parseTenantsFile(
        base("  - name: a\n    kubernetesNamespace: kes\n  - name: b\n    kubernetesNamespace: kes\n"),
      ),
    ).toThrow('tenant "b": kubernetesNamespace "kes" clashes with tenant "a"');
  });

  test("fails when two namespace-isolated tenants share a Vault namespace", () => {
    expect(() =>
      parseTenantsFile(
        base(
          "  - name: a\n    vaultNamespace: t\n  - name: b\n    vaultNamespace: t\n",
          "isolation: namespace\n",
        ),
      ),
    ).toThrow('tenant "b": vaultNamespace "t" clashes with tenant "a"');
  });

  test("fails when a tenant field is unknown, naming the tenant", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    keyServer: { replicaz: 3 }\n"))).toThrow(
      'tenant "a": keyServer.replicaz is not a known field: use one of replicas',
    );
  });

  test("fails when a count has the wrong type, naming tenant and field", () => {
    expect(() => parseTenantsFile(base('  - name: a\n    minio: { replicas: "four" }\n'))).toThrow(
      'tenant "a": minio.replicas "four" must be a whole number from 1 to 32',
    );
  });

  test("fails when a storage size is not a quantity", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    minio: { storage: 100GB }\n"))).toThrow(
      'tenant "a": minio.storage "100GB" must be a Kubernetes quantity',
    );
  });

  test("fails when a tenant name is not a DNS label", () => {
    expect(() => parseTenantsFile(base("  - name: Payments\n"))).toThrow(
      'tenants[0].name "Payments" must be 1 to 32 characters of [a-z0-9-]',
    );
  });

  test("fails when a tenant is named like the shared stack", () => {
    expect(() => parseTenantsFile(base("  - name: shared\n"))).toThrow(
      'tenants[0].name "shared" is reserved',
    );
  });

  test("fails when the tenant list is empty", () => {
    expect(() => parseTenantsFile('vault: { endpoint: "https://vault:8200" }\ntenants: []\n')).toThrow(
      "tenants must be a non-empty list",
    );
  });

  test("fails when the Vault endpoint is missing", () => {
    expect(() => parseTenantsFile("tenants:\n  - name: a\n")).toThrow("vault.endpoint is required");
  });

  test("fails when the isolation mode is unknown", () => {
    expect(() => parseTenantsFile(base("  - name: a\n", "isolation: cluster\n"))).toThrow(
      'isolation "cluster" must be prefix',
    );
  });

  test("fails when a Vault namespace is given in prefix isolation", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    vaultNamespace: a\n"))).toThrow(
      'tenant "a": vaultNamespace "a" needs isolation: namespace',
    );
  });

  test("fails when a top-level field is unknown", () => {
    expect(() => parseTenantsFile(base("  - name: a\n", "isolaton: prefix\n"))).toThrow(
      "isolaton is not a known field",
    );
  });

  test("fails when the K/V version is 3", () => {
    expect(() =>
      parseTenantsFile('vault: { endpoint: "https://vault:8200", kvVersion: 3 }\ntenants:\n  - name: a\n'),
    ).toThrow("vault.kvVersion 3 must be a whole number from 1 to 2");
  });
});
