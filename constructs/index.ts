// The package's main entry point ("kes-vault-kit"): the constructs, their props and the types they take.
// Re-exports only, by name: everything listed here is public API (api/kes-vault-kit.api.md). Pure helpers
// are in ./spec.ts, synthesized-output readers in ./testing.ts; validators and internals stay unexported.

// Shared values
export { Duration } from "./duration";

// Vault
export { AppRoleAuth, type AppRoleAuthProps, type IAppRoleAuth } from "./vault/approle-auth";
export { AppRoleIdentity, type AppRoleIdentityProps, type AppRoleOptions } from "./vault/approle-identity";
export { Keystore, type IKeystore, type KeystoreProps } from "./vault/keystore";
export { KeystoreLogin, type AppRoleLoginOptions, type KubernetesLoginOptions } from "./vault/keystore-login";
export { KeystorePolicy, type KeystorePolicyProps } from "./vault/keystore-policy";
export { KeystoreSpec, type VaultKeystoreConfig } from "./vault/keystore-spec";
export type { KeystoreSpecProps, TransitSpecProps } from "./vault/keystore-spec-validation";
export {
  KubernetesAuthBackend,
  type IKubernetesAuthBackend,
  type KubernetesAuthBackendOptions,
  type KubernetesAuthBackendProps,
} from "./vault/kubernetes-auth-backend";
export {
  KubernetesAuthRole,
  type KubernetesAuthOptions,
  type KubernetesAuthRoleProps,
} from "./vault/kubernetes-auth-role";
export { KvMount, type IKvMount, type KvMountProps } from "./vault/kv-mount";
export { KvVersion } from "./vault/kv-version";
export { SecretIdRotation } from "./vault/secret-id-rotation";
export { TransitKey, type TransitKeyProps } from "./vault/transit-key";
export { VaultAuthMethod } from "./vault/vault-auth-method";
export type { IVaultLoginRole } from "./vault/vault-login-role";
export { VaultNamespace, type IVaultNamespace, type VaultNamespaceProps } from "./vault/vault-namespace";

// Kubernetes
export {
  KeyServer,
  type IKeyServer,
  type KeyServerClient,
  type KeyServerNetworkPolicyOptions,
  type KeyServerProps,
} from "./kubernetes/key-server";
export type { KeyPolicyPatterns } from "./kubernetes/minio-key-policy";
export { KeyServerTls, type KeyServerTlsPem, type KeyServerTlsSecretKeys } from "./kubernetes/key-server-tls";
export { DEFAULT_MINIO_IMAGE, Minio, MinioKesClient, type MinioProps } from "./kubernetes/minio";
export type { ResourceSettings } from "./kubernetes/pod-security";
export { PodSecurityLevel } from "./kubernetes/pod-security-level";
export {
  DEFAULT_NODE_IMAGE,
  IMAGE_BUNDLE_FILE,
  MAX_BUNDLE_BYTES,
  RuntimeSource,
  type RuntimeBundle,
} from "./kubernetes/runtime-source";

// Identities and tenants
export {
  TenantIdentities,
  type KeyServerTlsMaterial,
  type TenantIdentitiesProps,
} from "./identity/tenant-identities";
export {
  KesTenant,
  type KesTenantProps,
  type TenantKeyServerOptions,
  type TenantMinioOptions,
} from "./tenant/kes-tenant";
export { TenantKeystore } from "./tenant/tenant-keystore";
export {
  TenantVault,
  tenantOutputNames,
  type TenantKeyServerIdentityOptions,
  type TenantMinioIdentityOptions,
  type TenantVaultProps,
} from "./tenant/tenant-vault";
export {
  TenantWorkloads,
  type TenantKeyServerWorkloadOptions,
  type TenantMinioWorkloadOptions,
  type TenantWorkloadsProps,
} from "./tenant/tenant-workloads";
