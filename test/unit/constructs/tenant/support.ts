import type { TerraformStack } from "cdktf";
import { KesTenant, type KesTenantProps } from "../../../../constructs/tenant/kes-tenant";
import { TenantKeystore } from "../../../../constructs/tenant/tenant-keystore";
import { TenantVault, type TenantVaultProps } from "../../../../constructs/tenant/tenant-vault";
import { KeystoreLogin } from "../../../../constructs/vault/keystore-login";
import { fixtureRuntime, type Json } from "../kubernetes/support";

/** A tenant with the fixture bundle, prefix "payments" in the root namespace unless overridden. */
export function tenant(
  stack: TerraformStack,
  over: Partial<KesTenantProps> = {},
  name = "payments",
): KesTenant {
  return new KesTenant(stack, name, {
    tenantName: name,
    keystore: TenantKeystore.fromProps({ prefix: name }),
    vaultEndpoint: "https://vault.vault.svc:8200",
    ...over,
    keyServer: { runtime: fixtureRuntime(), ...over.keyServer },
  });
}

/** The Vault half of a tenant alone, prefix "payments" unless overridden. */
export function tenantVault(
  stack: TerraformStack,
  over: Partial<TenantVaultProps> = {},
  name = "payments",
): TenantVault {
  return new TenantVault(stack, name, {
    tenantName: name,
    keystore: TenantKeystore.fromProps({ prefix: name }),
    ...over,
  });
}

/** A keystore whose Kubernetes login configures its auth mount without a token reviewer JWT. */
export const kubernetesLoginKeystore = (tokenReviewerJwt?: string) =>
  TenantKeystore.fromProps({
    prefix: "payments",
    login: KeystoreLogin.kubernetes({
      authBackend: {
        kubernetesHost: "https://10.0.0.1:6443",
        ...(tokenReviewerJwt ? { tokenReviewerJwt } : {}),
      },
    }),
  });

/** Every resource address (`type.logical_id`) of a synthesized stack, sorted. */
export function addresses(j: Json): string[] {
  return Object.entries((j.resource ?? {}) as Json)
    .flatMap(([type, group]) => Object.keys(group as Json).map((id) => `${type}.${id}`))
    .sort();
}
