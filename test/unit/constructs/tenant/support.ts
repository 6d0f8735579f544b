import type { TerraformStack } from "cdktf";
import { KesTenant, type KesTenantProps } from "../../../../constructs/tenant/kes-tenant";
import { TenantKeystore } from "../../../../constructs/tenant/tenant-keystore";
import { fixtureRuntime } from "../kubernetes/support";

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
