// "kes-vault-kit/spec": the pure half, loadable without cdktf or constructs installed (a test checks). The
// keystore spec and what is derived from it: the Vault policy rules and their HCL, the access check, the key
// server's config, MinIO's key policy. Re-exports only, by name (api/kes-vault-kit-spec.api.md).

export { KeystoreSpec, type VaultKeystoreConfig } from "./vault/keystore-spec";
export type { KeystoreSpecProps, TransitSpecProps } from "./vault/keystore-spec-validation";
export { KvVersion } from "./vault/kv-version";
export { VaultAuthMethod } from "./vault/vault-auth-method";
export { keystorePolicyRules, type PolicyRule, type VaultCapability } from "./vault/policy-rules";
export { renderPolicyHcl } from "./vault/policy-hcl";
export { keystoreAllows, rulesAllow, type VaultRequest } from "./vault/access-check";
export {
  renderKeyServerConfig,
  type KeyServerClientPolicy,
  type KeyServerConfigInput,
} from "./kubernetes/key-server-config";
export {
  checkKeyName,
  checkKeyNamePrefix,
  minioKeyPolicy,
  type KeyPolicyPatterns,
} from "./kubernetes/minio-key-policy";
