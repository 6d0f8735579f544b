// The cdktf app (cdktf.json "app"). Two modes, chosen by the environment:
// - KVK_TENANTS_FILE set: the tenants rollout from that YAML file (stacks/tenants-stacks.ts; docs/kubernetes.md),
//   one stack "tenants", or "tenant-shared" + "tenant-<name>" per tenant.
// - otherwise: one Vault keystore stack (stacks/keystore-stack-env.ts; docs/vault.md).
import { App } from "cdktf";
import { keystoreStackSettingsFromEnv } from "./keystore-stack-env";
import { tenantsStacksFromEnv } from "./tenants-stacks";
import { VaultKeystoreStack } from "./vault-keystore-stack";

const app = new App();
if (!tenantsStacksFromEnv(app, process.env)) {
  const settings = keystoreStackSettingsFromEnv(process.env);
  new VaultKeystoreStack(app, settings.stackId, settings.props);
}
app.synth();
