/**
 * The keystore of one tenant of a tenants file: its Vault paths and how its key server logs in. Shared by the
 * stacks (tenants-stacks.ts builds each tenant from it) and the doctor (which checks a deployment against it).
 * Pure.
 */
import type { KeystoreProps } from "../constructs/vault/keystore";
import { KvVersion } from "../constructs/vault/kv-version";
import { VaultAuthMethod } from "../constructs/vault/vault-auth-method";
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
      ? { authMethod: VaultAuthMethod.KUBERNETES, authEngine: kubernetesAuthPath(file, t) }
      : {}),
  };
}
