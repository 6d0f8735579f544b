// vault.login: kubernetes in the tenants file: what the stacks declare for such tenants (synthesis only; the
// live tests in test/live/kubernetes/ deploy them against OpenBao and the control plane).
import * as path from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { tenantOutputNames } from "../../../constructs/tenant/tenant-vault";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { buildTenantsStacks } from "../../../stacks/tenants-stacks";
import { kubernetesAuthPath } from "../../../shared/tenant-keystore";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const runtime = RuntimeSource.fromBundle(
  path.resolve(__dirname, "..", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
);
const json = (s: TerraformStack): Json => JSON.parse(Testing.synth(s, true));
const all = (j: Json, type: string): Json[] => Object.values(j.resource?.[type] ?? {});
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const file = (top: string, tenants: string) =>
  parseTenantsFile(
    `vault: { endpoint: "https://vault:8200"${top} }\nkubernetes:\n  apiServer: "https://10.0.0.1:6443"\n  apiServerCaCert: |\n${CA.replace(/^/gm, "    ").trimEnd()}\ntenants:\n${tenants}`,
  );
/** Resource types holding a secret-id or an AppRole role. */
const appRoleTypes = (j: Json) => Object.keys(j.resource).filter((t) => t.startsWith("vault_approle"));

describe("tenants file with vault.login: kubernetes", () => {
  test("GIVEN prefix isolation, one stack per tenant, one tenant on each login WHEN built THEN the kubernetes tenant has its own mount, config and role and no AppRole object", () => {
    const f = file("", "  - name: a\n    vault: { login: kubernetes }\n  - name: b\n");
    const [shared, a, b] = buildTenantsStacks(Testing.app(), f, { runtime, stackPerTenant: true }).map(json);
    // The AppRole tenant keeps the shared AppRole mount; the kubernetes tenant mounts its own.
    expect(all(shared, "vault_auth_backend").map((m) => m.type)).toEqual(["approle"]);
    expect(appRoleTypes(b).sort()).toEqual([
      "vault_approle_auth_backend_role",
      "vault_approle_auth_backend_role_secret_id",
    ]);
    expect(appRoleTypes(a)).toEqual([]);
    expect(all(a, "vault_auth_backend")).toEqual([
      expect.objectContaining({ type: "kubernetes", path: "kubernetes-a" }),
    ]);
    const [config] = all(a, "vault_kubernetes_auth_backend_config");
    expect(config).toMatchObject({ kubernetes_host: "https://10.0.0.1:6443", kubernetes_ca_cert: CA });
    expect(config.token_reviewer_jwt).toContain("kubernetes_secret_v1"); // the tenant's own reviewer
    const [role] = all(a, "vault_kubernetes_auth_backend_role");
    expect(role).toMatchObject({
      bound_service_account_names: ["keyserver"],
      bound_service_account_namespaces: ["a"],
      audience: "vault",
    });
    expect(role.backend).toMatch(/^\$\{vault_auth_backend\..*\.path\}$/);
    expect(Object.keys(a.output)).not.toContain(tenantOutputNames("a").roleId);
    expect(Object.keys(a.output)).not.toContain(tenantOutputNames("a").secretIdAccessor);
  });

  test("GIVEN a kubernetes tenant WHEN built THEN its key server gets a projected token for the audience and no secret-id", () => {
    const f = file(", kubernetesAudience: openbao", "  - name: a\n    vault: { login: kubernetes }\n");
    const [, a] = buildTenantsStacks(Testing.app(), f, { runtime, stackPerTenant: true }).map(json);
    const dep = all(a, "kubernetes_deployment_v1")[0];
    const volumes = dep.spec.template.spec.volume as Json[];
    const token = volumes.find((v) => v.name === "vault-token");
    expect(token?.projected[0].sources[0].service_account_token).toMatchObject({
      audience: "openbao",
      path: "token",
    });
    expect(all(a, "vault_kubernetes_auth_backend_role")[0].audience).toBe("openbao");
    const secret = all(a, "kubernetes_secret_v1").find((s) => s.metadata.name === "keyserver");
    expect(Object.keys(secret?.data ?? {})).not.toContain("vault-secret-id");
    expect(JSON.stringify(a)).not.toContain("secret_id");
  });

  test("GIVEN a file-wide kubernetes login in one stack WHEN built THEN each tenant has its own mount and a role bound to its own namespace only", () => {
    const f = file(", login: kubernetes", "  - name: a\n  - name: b\n    kubernetesNamespace: kes-b\n");
    const [stack] = buildTenantsStacks(Testing.app(), f, { runtime, stackPerTenant: false });
    const j = json(stack);
    expect(
      all(j, "vault_auth_backend")
        .map((m) => `${m.type}:${m.path}`)
        .sort(),
    ).toEqual(["approle:approle", "kubernetes:kubernetes-a", "kubernetes:kubernetes-b"]);
    expect(
      all(j, "vault_kubernetes_auth_backend_role")
        .map((r) => r.bound_service_account_namespaces)
        .sort(),
    ).toEqual([["a"], ["kes-b"]]);
    expect(appRoleTypes(j)).toEqual([]);
  });

  test("GIVEN namespace isolation WHEN built THEN each tenant's mount is kubernetes inside its own Vault namespace", () => {
    const nsFile = parseTenantsFile(
      `isolation: namespace\nvault: { endpoint: "https://vault:8200", login: kubernetes, parentNamespace: tenants }\nkubernetes: { apiServer: "https://10.0.0.1:6443" }\ntenants:\n  - name: blue\n  - name: green\n`,
    );
    expect(nsFile.tenants.map((t) => kubernetesAuthPath(nsFile, t))).toEqual(["kubernetes", "kubernetes"]);
    const [stack] = buildTenantsStacks(Testing.app(), nsFile, { runtime });
    const j = json(stack);
    expect(
      all(j, "vault_auth_backend")
        .map((m) => `${m.namespace}:${m.type}:${m.path}`)
        .sort(),
    ).toEqual([
      "${vault_namespace.blue_Keystore_Namespace_5D1E3528.path_fq}:kubernetes:kubernetes",
      "${vault_namespace.green_Keystore_Namespace_A25B79DD.path_fq}:kubernetes:kubernetes",
    ]);
    expect(all(j, "vault_namespace").map((n) => `${n.namespace}/${n.path}`)).toEqual([
      "tenants/blue",
      "tenants/green",
    ]);
    expect(
      all(j, "vault_kubernetes_auth_backend_role")
        .map((r) => r.namespace)
        .sort(),
    ).toEqual([
      "${vault_namespace.blue_Keystore_Namespace_5D1E3528.path_fq}",
      "${vault_namespace.green_Keystore_Namespace_A25B79DD.path_fq}",
    ]);
    expect(appRoleTypes(j)).toEqual([]);
  });

  test("GIVEN namespace isolation with the logins in the root namespace WHEN built THEN the tenants' mounts are kubernetes-<tenant> in root", () => {
    const f = parseTenantsFile(
      `isolation: namespace\nvault: { endpoint: "https://vault:8200", login: kubernetes, authNamespace: "/" }\nkubernetes: { apiServer: "https://10.0.0.1:6443" }\ntenants:\n  - name: blue\n  - name: green\n`,
    );
    const stacks = buildTenantsStacks(Testing.app(), f, { runtime, stackPerTenant: true });
    const mounts = stacks
      .slice(1)
      .flatMap((s) => all(json(s), "vault_auth_backend"))
      .map((m) => `${m.namespace ?? "/"}:${m.path}`);
    expect(mounts).toEqual(["/:kubernetes-blue", "/:kubernetes-green"]);
  });
});
