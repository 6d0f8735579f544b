import * as fs from "node:fs";
import * as path from "node:path";
import { parseTenantsFile } from "../../../shared/tenants-file";

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

describe("parseTenantsFile: vault.login", () => {
  const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const cluster = 'kubernetes: { apiServer: "https://10.0.0.1:6443" }\n';

  test("GIVEN no login anywhere WHEN parsed THEN every tenant logs in with AppRole", () => {
    const f = parseTenantsFile(base("  - name: a\n  - name: b\n"));
    expect(f.vault.login).toBe("approle");
    expect(f.tenants.map((t) => t.login)).toEqual(["approle", "approle"]);
  });

  test("GIVEN a file-wide kubernetes login and one tenant on AppRole WHEN parsed THEN each tenant has its own login", () => {
    const f = parseTenantsFile(
      `vault: { endpoint: "https://vault:8200", login: kubernetes, kubernetesAudience: openbao }\n${cluster}tenants:\n  - name: a\n  - name: b\n    vault: { login: approle }\n`,
    );
    expect(f.tenants.map((t) => t.login)).toEqual(["kubernetes", "approle"]);
    expect(f.vault.kubernetesAudience).toBe("openbao");
    expect(f.kubernetes.apiServer).toBe("https://10.0.0.1:6443");
  });

  test("GIVEN one tenant with kubernetes login and the API server's CA WHEN parsed THEN the audience defaults to vault and the CA is kept", () => {
    const f = parseTenantsFile(
      base(
        "  - name: a\n    vault: { login: kubernetes }\n  - name: b\n",
        `kubernetes:\n  apiServer: "https://10.0.0.1:6443"\n  apiServerCaCert: |\n${CA.replace(/^/gm, "    ").trimEnd()}\n`,
      ),
    );
    expect(f.tenants.map((t) => t.login)).toEqual(["kubernetes", "approle"]);
    expect(f.vault.kubernetesAudience).toBe("vault");
    expect(f.kubernetes.apiServerCaCert).toBe(CA);
  });

  test("fails when a tenant's login is unknown, naming the tenant, the value and the logins there are", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    vault: { login: ldap }\n", cluster))).toThrow(
      'tenant "a": vault.login "ldap" is not a login the kit provisions: use approle (a role-id and a secret-id per tenant) or kubernetes',
    );
  });

  test("fails when the file-wide login is unknown", () => {
    expect(() =>
      parseTenantsFile('vault: { endpoint: "https://vault:8200", login: token }\ntenants:\n  - name: a\n'),
    ).toThrow('vault.login "token" is not a login the kit provisions');
  });

  test("fails when a tenant's vault mapping has another field than login", () => {
    expect(() => parseTenantsFile(base("  - name: a\n    vault: { endpoint: x }\n"))).toThrow(
      'tenant "a": vault.endpoint is not a known field: use one of login',
    );
  });

  test("fails when a tenant logs in with kubernetes and the file does not say where the API server is", () => {
    expect(() =>
      parseTenantsFile(base("  - name: a\n  - name: b\n    vault: { login: kubernetes }\n")),
    ).toThrow(
      'tenant "b": vault.login "kubernetes" needs kubernetes.apiServer, the API server\'s address as Vault reaches it',
    );
  });

  test("GIVEN only an offboarded tenant logs in with kubernetes WHEN parsed THEN no API server is needed", () => {
    const f = parseTenantsFile(
      base("  - name: a\n  - name: b\n    vault: { login: kubernetes }\n    offboard: { keys: delete }\n"),
    );
    expect(f.tenants[1].login).toBe("kubernetes");
  });

  test("fails when the API server address has a path", () => {
    expect(() =>
      parseTenantsFile(base("  - name: a\n", 'kubernetes: { apiServer: "https://10.0.0.1:6443/api" }\n')),
    ).toThrow(
      'kubernetes.apiServer "https://10.0.0.1:6443/api" must be the API server\'s http(s) address as Vault reaches it, without a path: e.g. "https://10.0.0.1:6443"',
    );
  });

  test("fails when the API server's CA is not a PEM certificate", () => {
    expect(() =>
      parseTenantsFile(
        base(
          "  - name: a\n",
          'kubernetes: { apiServer: "https://10.0.0.1:6443", apiServerCaCert: ca.crt }\n',
        ),
      ),
    ).toThrow('kubernetes.apiServerCaCert "ca.crt" must be the PEM of the CA');
  });

  test("fails when the audience has a space", () => {
    expect(() =>
      parseTenantsFile(
        'vault: { endpoint: "https://vault:8200", kubernetesAudience: "my vault" }\ntenants:\n  - name: a\n',
      ),
    ).toThrow('vault.kubernetesAudience "my vault" must be one audience without spaces: e.g. "vault"');
  });
});
