// A tenant's keystore props from the tenants file: the one reading shared by the stacks and the doctor. Pure.
import { KvVersion } from "../../../constructs/vault/kv-version";
import { VaultAuthMethod } from "../../../constructs/vault/vault-auth-method";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { kubernetesAuthPath, tenantKeystoreProps, tenantKeystoreSpec } from "../../../shared/tenant-keystore";
import { tenantDefinition } from "../../../stacks/tenants-stacks";

const K8S = 'kubernetes: { apiServer: "https://10.0.0.1:6443" }';
const file = (vault: string, isolation: string, tenants: string) =>
  parseTenantsFile(
    `vault: { endpoint: "https://vault:8200"${vault} }\nisolation: ${isolation}\n${K8S}\ntenants:\n${tenants}`,
  );

describe("tenantKeystoreProps", () => {
  test("GIVEN prefix isolation with one tenant on each login WHEN read THEN the AppRole tenant keeps the file's auth engine and the kubernetes tenant gets its own mount", () => {
    const f = file(
      ", kvEngine: secrets, kvVersion: 2",
      "prefix",
      "  - name: a\n  - name: b\n    vault: { login: kubernetes }\n",
    );
    const [a, b] = f.tenants.map((t) => tenantKeystoreProps(f, t));
    expect(a).toEqual({ kvEngine: "secrets", kvVersion: KvVersion.V2, authEngine: "approle", prefix: "a" });
    expect(b).toMatchObject({
      kvEngine: "secrets",
      kvVersion: KvVersion.V2,
      authEngine: "kubernetes-b",
      prefix: "b",
    });
    expect(b.login?.method).toBe(VaultAuthMethod.KUBERNETES);
    expect(b.login?.kubernetesOptions?.audience).toBe("vault");
    expect(tenantKeystoreSpec(f, f.tenants[1]).authMethod).toBe(VaultAuthMethod.KUBERNETES);
    expect(tenantKeystoreSpec(f, f.tenants[0]).authMethod).toBe(VaultAuthMethod.APPROLE);
    expect(kubernetesAuthPath(f, f.tenants[1])).toBe("kubernetes-b");
  });

  test("GIVEN namespace isolation under a parent namespace WHEN read THEN the namespace is the parent's child and the kubernetes mount is 'kubernetes' inside it", () => {
    const f = file(
      ', parentNamespace: "org"',
      "namespace",
      "  - name: a\n    vault: { login: kubernetes }\n",
    );
    const props = tenantKeystoreProps(f, f.tenants[0]);
    expect(props.namespace).toBe(`org/${f.tenants[0].vaultNamespace}`);
    expect(props.authEngine).toBe("kubernetes");
    expect(props.login?.method).toBe(VaultAuthMethod.KUBERNETES);
  });

  test("GIVEN every tenant of a file WHEN the stacks' definition is built THEN its keystore is exactly these props", () => {
    const f = file("", "prefix", "  - name: a\n  - name: b\n    vault: { login: kubernetes }\n");
    for (const t of f.tenants) expect(tenantDefinition(f, t).keystore).toEqual(tenantKeystoreProps(f, t));
  });
});
