import { Testing, type TerraformStack } from "cdktf";
import * as path from "node:path";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { buildTenantsStacks, tenantsStacksFromEnv } from "../../../stacks/tenants-stacks";
import { parseTenantsFile } from "../../../shared/tenants-file";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const runtime = RuntimeSource.fromBundle(
  path.resolve(__dirname, "..", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
);
const json = (s: TerraformStack): Json => JSON.parse(Testing.synth(s, true));
const base = (tenants: string, extra = "") =>
  `vault: { endpoint: "https://vault:8200" }\n${extra}tenants:\n${tenants}`;
const nsFile = (vault: string, perTenant: boolean) =>
  `vault: { endpoint: "https://vault:8200", parentNamespace: tenants, ${vault} }\nisolation: namespace\nstackPerTenant: ${perTenant}\ntenants:\n  - name: blue\n    prefix: keys\n  - name: green\n    prefix: keys\n`;

describe("tenants file: fields that name the tenant and the field", () => {
  test("fails when an extraIpAddresses entry is not an IP address, naming the tenant, the field and the entry", () => {
    expect(() =>
      parseTenantsFile(
        base('  - name: pay\n    keyServer: { extraIpAddresses: ["127.0.0.1", "10.0.0.300"] }\n'),
      ),
    ).toThrow(
      'tenant "pay": keyServer.extraIpAddresses[1] "10.0.0.300" is not an IP address: use e.g. "127.0.0.1"',
    );
  });

  test("fails when an extraDnsNames entry is not a DNS name", () => {
    expect(() =>
      parseTenantsFile(base('  - name: pay\n    keyServer: { extraDnsNames: ["Key Server"] }\n')),
    ).toThrow('tenant "pay": keyServer.extraDnsNames[0] "Key Server" is not a DNS name');
  });

  test("fails when minio.image is empty", () => {
    expect(() => parseTenantsFile(base('  - name: pay\n    minio: { image: "" }\n'))).toThrow(
      'tenant "pay": minio.image "" must not be empty',
    );
  });

  test("fails when minio.storageClassName is not a DNS subdomain", () => {
    expect(() =>
      parseTenantsFile(base("  - name: pay\n    minio: { storageClassName: Fast_SSD }\n")),
    ).toThrow('tenant "pay": minio.storageClassName "Fast_SSD" must be a DNS subdomain');
  });

  test("GIVEN 1000 key server replicas WHEN parsed THEN the file accepts what the construct accepts, and not 1001", () => {
    expect(
      parseTenantsFile(base("  - name: pay\n    keyServer: { replicas: 1000 }\n")).tenants[0].keyServer
        .replicas,
    ).toBe(1000);
    expect(() => parseTenantsFile(base("  - name: pay\n    keyServer: { replicas: 1001 }\n"))).toThrow(
      'tenant "pay": keyServer.replicas 1001 must be a whole number from 1 to 1000',
    );
  });

  test("fails when vault.authNamespace is set in prefix isolation", () => {
    expect(() =>
      parseTenantsFile(
        'vault: { endpoint: "https://vault:8200", authNamespace: "/" }\ntenants:\n  - name: a\n',
      ),
    ).toThrow('vault.authNamespace "/" needs isolation: namespace');
  });

  test("fails when vault.authNamespace is not an ancestor of the tenants' namespaces", () => {
    expect(() => parseTenantsFile(nsFile("authNamespace: other", false))).toThrow(
      'vault.authNamespace "other" is not the parent namespace "tenants" nor one of its ancestors',
    );
  });
});

describe("tenants file: one auth mount in an auth namespace", () => {
  test("GIVEN namespace isolation with authNamespace / in one stack WHEN built THEN one AppRole mount in root serves both tenants, with distinct policy and role names", () => {
    const file = parseTenantsFile(nsFile('authNamespace: "/"', false));
    const [stack] = buildTenantsStacks(Testing.app(), file, { runtime });
    const j = json(stack);
    const mounts = Object.values(j.resource.vault_auth_backend) as Json[];
    expect(mounts).toHaveLength(1);
    expect(mounts[0].namespace).toBeUndefined();
    const policies = Object.values(j.resource.vault_policy) as Json[];
    expect(policies.map((p) => p.namespace)).toEqual([undefined, undefined]);
    const names = policies.map((p) => p.name as string);
    expect(names[0]).toMatch(/^kes-tenants-blue-kv-keys\.[0-9a-f]{12}$/);
    expect(names[1]).toMatch(/^kes-tenants-green-kv-keys\.[0-9a-f]{12}$/);
    const roles = Object.values(j.resource.vault_approle_auth_backend_role) as Json[];
    expect(roles.map((r) => r.role_name)).toEqual(names);
    // The keystores themselves stay in the tenants' namespaces.
    expect((Object.values(j.resource.vault_mount) as Json[]).map((m) => m.namespace)).toHaveLength(2);
  });

  test("GIVEN namespace isolation with an auth namespace and a stack per tenant WHEN built THEN tenant-shared holds the one AppRole mount there and the tenants refer to it", () => {
    const file = parseTenantsFile(nsFile("authNamespace: tenants", true));
    const stacks = buildTenantsStacks(Testing.app(), file, { runtime });
    expect(stacks.map((s) => s.node.id)).toEqual(["tenant-shared", "tenant-blue", "tenant-green"]);
    const shared = json(stacks[0]);
    expect(Object.values(shared.resource.vault_auth_backend)).toEqual([
      expect.objectContaining({ path: "approle", namespace: "tenants" }),
    ]);
    expect(shared.resource.vault_mount).toBeUndefined();
    for (const s of stacks.slice(1)) {
      const j = json(s);
      expect(j.resource.vault_auth_backend).toBeUndefined();
      expect(Object.values(j.resource.vault_mount)).toHaveLength(1);
    }
  });

  test("GIVEN KVK_VAULT_VERSION_OVERRIDE WHEN the env hook builds the stacks THEN the vault provider carries it", () => {
    const file = path.resolve(__dirname, "..", "..", "..", "examples", "tenants.yaml");
    const stacks = tenantsStacksFromEnv(Testing.app(), {
      KVK_TENANTS_FILE: file,
      KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
      KVK_RUNTIME_BUNDLE: path.resolve(
        __dirname,
        "..",
        "constructs",
        "kubernetes",
        "fixtures",
        "keyserver.cjs",
      ),
    });
    expect(json(stacks![1]).provider.vault[0].vault_version_override).toBe("1.14.0");
  });

  test("fails when KVK_VAULT_VERSION_OVERRIDE is not a version", () => {
    expect(() =>
      tenantsStacksFromEnv(Testing.app(), {
        KVK_TENANTS_FILE: "x.yaml",
        KVK_VAULT_VERSION_OVERRIDE: "latest",
      }),
    ).toThrow('KVK_VAULT_VERSION_OVERRIDE "latest" must be a version');
  });
});
