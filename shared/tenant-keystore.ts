/**
 * The keystore of one tenant of a tenants file: its Vault paths and how its key server logs in. Shared by the
 * stacks (tenants-stacks.ts builds each tenant from it) and the doctor (which checks a deployment against it).
 * Pure.
 */
import type { KeystoreProps } from "../constructs/vault/keystore";
import { KeystoreLogin } from "../constructs/vault/keystore-login";
import { KeystoreSpec } from "../constructs/vault/keystore-spec";
import { KvVersion } from "../constructs/vault/kv-version";
import type { TenantEntry, TenantsFile } from "./tenants-file";

/**
 * Path of a tenant's Kubernetes auth mount (`vault.login: kubernetes`). Every tenant has a mount of its own,
 * configured with a token reviewer of its own namespace: "kubernetes" inside its own Vault namespace (namespace
 * isolation), "kubernetes-<tenant>" where tenants share one namespace for logins (prefix isolation, or
 * `vault.authNamespace`). See docs/kubernetes.md, "Kubernetes login".
 */
export function kubernetesAuthPath(file: TenantsFile, t: TenantEntry): string {
  return file.isolation === "namespace" && file.vault.authNamespace === undefined
    ? "kubernetes"
    : `kubernetes-${t.name}`;
}

/** The keystore props (engine, K/V version, prefix, namespaces, login) of one validated entry. Pure. */
export function tenantKeystoreProps(file: TenantsFile, t: TenantEntry): KeystoreProps {
  const v = file.vault;
  const k8s = file.kubernetes;
  const namespace =
    t.vaultNamespace === undefined
      ? undefined
      : v.parentNamespace === ""
        ? t.vaultNamespace
        : `${v.parentNamespace}/${t.vaultNamespace}`;
  return {
    kvEngine: v.kvEngine,
    kvVersion: KvVersion.of(v.kvVersion),
    authEngine: v.authEngine,
    prefix: t.prefix,
    ...(namespace === undefined ? {} : { namespace }),
    ...(v.authNamespace === undefined ? {} : { authNamespace: v.authNamespace }),
    ...(t.login === "kubernetes"
      ? {
          authEngine: kubernetesAuthPath(file, t),
          // The tenant binds the role to its key server's service account and namespace, and creates the mount
          // with a token reviewer of its own when the file names the API server (required for active tenants).
          login: KeystoreLogin.kubernetes({
            audience: v.kubernetesAudience,
            ...(k8s.apiServer === undefined
              ? {}
              : {
                  authBackend: {
                    kubernetesHost: k8s.apiServer,
                    ...(k8s.apiServerCaCert === undefined ? {} : { kubernetesCaCert: k8s.apiServerCaCert }),
                  },
                }),
          }),
        }
      : {}),
  };
}

/** The keystore spec of one validated entry (what its policy allows, how it logs in). Pure, no cdktf. */
export function tenantKeystoreSpec(file: TenantsFile, t: TenantEntry): KeystoreSpec {
  const props = tenantKeystoreProps(file, t);
  return new KeystoreSpec({ ...props, authMethod: (props.login ?? KeystoreLogin.appRole()).method });
}
