// The cdktf app (cdktf.json "app"): one Vault keystore stack configured from the environment.
// See stacks/keystore-stack-env.ts for the variables and docs/vault.md for examples.
import { App } from "cdktf";
import { keystoreStackSettingsFromEnv } from "./keystore-stack-env";
import { VaultKeystoreStack } from "./vault-keystore-stack";

const app = new App();
const settings = keystoreStackSettingsFromEnv(process.env);
new VaultKeystoreStack(app, settings.stackId, settings.props);
app.synth();
