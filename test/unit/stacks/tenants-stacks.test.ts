import * as path from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { tenantOutputNames } from "../../../constructs/tenant/tenant-vault";
import { TenantStack } from "../../../stacks/tenant-stack";
import {
  buildTenantsStacks,
  tenantsStacksFromEnv,
  tenantsStacksFromFile,
} from "../../../stacks/tenants-stacks";
import { parseTenantsFile } from "../../../shared/tenants-file";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const EXAMPLE = path.resolve(__dirname, "..", "..", "..", "examples", "tenants.yaml");
const runtime = RuntimeSource.fromBundle(
  path.resolve(__dirname, "..", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
);
const json = (s: TerraformStack): Json => JSON.parse(Testing.synth(s, true));
const count = (j: Json, type: string) => Object.keys(j.resource?.[type] ?? {}).length;

describe("tenant stacks", () => {
  test("GIVEN the 3-tenant example WHEN built THEN a shared-mounts stack and one stack per tenant synthesize", () => {
    const stacks = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime });
    expect(stacks.map((s) => s.node.id)).toEqual([
      "tenant-shared",
      "tenant-payments",
      "tenant-analytics",
      "tenant-media",
    ]);
    for (const s of stacks.slice(1)) {
      const j = json(s);
      expect(count(j, "kubernetes_deployment_v1")).toBe(1);
      expect(count(j, "vault_mount")).toBe(0);
    }
    expect(count(json(stacks[0]), "vault_mount")).toBe(1);
  });

  test("GIVEN the example's media tenant WHEN built THEN its policy and config use its own prefix", () => {
    const media = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime })[3];
    const j = json(media);
    const config = Object.values(j.resource.kubernetes_config_map_v1 as Json)[0].data["config.yaml"];
    expect(config).toContain("prefix: media-eu");
    expect(Object.values(j.resource.vault_policy as Json)[0].policy).toContain("kv/media-eu/");
  });

  test("GIVEN per-tenant stacks in prefix isolation WHEN built THEN each tenant stack depends on the shared one", () => {
    const stacks = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime });
    for (const s of stacks.slice(1)) expect(s.dependencies.map((d) => d.node.id)).toEqual(["tenant-shared"]);
  });

  test("GIVEN stackPerTenant off WHEN built THEN one stack holds every tenant on one shared K/V and AppRole mount", () => {
    const [stack] = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime, stackPerTenant: false });
    const j = json(stack);
    expect(stack.node.id).toBe("tenants");
    expect(count(j, "vault_mount")).toBe(1);
    expect(count(j, "vault_auth_backend")).toBe(1);
    expect(count(j, "kubernetes_deployment_v1")).toBe(3);
    expect(Object.keys(j.output)).toEqual(
      expect.arrayContaining([tenantOutputNames("payments").roleId, tenantOutputNames("media").roleId]),
    );
  });

  test("GIVEN namespace isolation WHEN built THEN each tenant has its Vault namespace, mounts and policy inside it", () => {
    const file = parseTenantsFile(
      'vault: { endpoint: "https://vault:8200", parentNamespace: tenants }\nisolation: namespace\ntenants:\n  - name: blue\n  - name: green\n',
    );
    const [stack] = buildTenantsStacks(Testing.app(), file, { runtime });
    const j = json(stack);
    expect(
      Object.values(j.resource.vault_namespace as Json)
        .map((n: Json) => `${n.namespace}/${n.path}`)
        .sort(),
    ).toEqual(["tenants/blue", "tenants/green"]);
    expect(count(j, "vault_mount")).toBe(2);
  });

  test("GIVEN provider versions WHEN built THEN every provider the stack uses is pinned to them", () => {
    const versions = { vault: "5.9.0", kubernetes: "3.2.1", tls: "4.1.0", random: "3.7.2" };
    const stack = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime, providerVersions: versions })[1];
    const required = json(stack).terraform.required_providers;
    for (const [name, version] of Object.entries(versions)) expect(required[name].version).toBe(version);
  });

  test("GIVEN a single tenant WHEN the stack is built THEN it configures the four providers and the OpenBao override", () => {
    const stack = new TenantStack(Testing.app(), "one", {
      vaultVersionOverride: "1.14.0",
      tenant: {
        tenantName: "solo",
        keystore: { prefix: "solo" },
        vaultEndpoint: "http://127.0.0.1:8200",
        keyServer: { runtime },
      },
    });
    const j = json(stack);
    expect(Object.keys(j.provider).sort()).toEqual(["kubernetes", "random", "tls", "vault"]);
    expect(j.provider.vault[0].vault_version_override).toBe("1.14.0");
  });

  test("GIVEN withoutKubernetes WHEN built THEN no kubernetes provider or object is in the stack, for an apply without a cluster", () => {
    const stack = tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime, withoutKubernetes: true })[1];
    const j = json(stack);
    expect(Object.keys(j.provider).sort()).toEqual(["random", "tls", "vault"]);
    expect(Object.keys(j.resource).filter((t) => t.startsWith("kubernetes_"))).toEqual([]);
  });

  test("GIVEN no KVK_TENANTS_FILE WHEN the env hook runs THEN it builds nothing", () => {
    expect(tenantsStacksFromEnv(Testing.app(), {})).toBeUndefined();
  });

  test("GIVEN KVK_TENANTS_FILE and overrides WHEN the env hook runs THEN the file's stacks are built with them", () => {
    const stacks = tenantsStacksFromEnv(Testing.app(), {
      KVK_TENANTS_FILE: EXAMPLE,
      KVK_STACK_PER_TENANT: "false",
      KVK_PROVIDER_VERSIONS: '{"vault":"5.9.0"}',
      KVK_RUNTIME_BUNDLE: runtime.bundlePath,
    });
    expect(stacks?.map((s) => s.node.id)).toEqual(["tenants"]);
  });

  test("fails when KVK_STACK_PER_TENANT is not a boolean", () => {
    expect(() =>
      tenantsStacksFromEnv(Testing.app(), { KVK_TENANTS_FILE: EXAMPLE, KVK_STACK_PER_TENANT: "maybe" }),
    ).toThrow('KVK_STACK_PER_TENANT "maybe" must be true or false');
  });

  test("fails when the tenants file cannot be read", () => {
    expect(() => tenantsStacksFromFile(Testing.app(), "/nonexistent/tenants.yaml")).toThrow(
      "tenants file /nonexistent/tenants.yaml cannot be read (ENOENT)",
    );
  });

  test("fails when the state directory is relative", () => {
    expect(() => tenantsStacksFromFile(Testing.app(), EXAMPLE, { runtime, stateDir: "state" })).toThrow(
      'stateDir "state" must be absolute',
    );
  });
});
