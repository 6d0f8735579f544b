import { App } from "cdktf";
import { keystoreStackSettingsFromEnv } from "./keystore-stack-env";
import { tenantsStacksFromEnv } from "./tenants-stacks";
import { VaultKeystoreStack } from "./vault-keystore-stack";

/** Options of {@link synthApp} beside the environment. */
export interface SynthAppOptions {
  /**
   * Output directory.
   * @default - CDKTF_OUTDIR, else "cdktf.out" (cdktf's own rule)
   */
  readonly outdir?: string;
}

/**
 * Builds the kit's cdktf app from the environment and synthesizes it (what stacks/main.ts runs):
 * - KVK_TENANTS_FILE set: the tenants rollout from that YAML file (stacks/tenants-stacks.ts; docs/kubernetes.md),
 *   one stack "tenants", or "tenant-shared" + "tenant-<name>" per tenant;
 * - otherwise: one Vault keystore stack (stacks/keystore-stack-env.ts; docs/vault.md).
 * @returns the synthesized app.
 * @throws Error from the environment hooks and the stacks.
 */
export function synthApp(env: Readonly<Record<string, string | undefined>>, opts: SynthAppOptions = {}): App {
  // stackTraces: false is cdktf's only switch for stack capture: annotations (warnings, errors) are recorded
  // without the stack trace of the code that added them. Tokens still record where they were created.
  const app = new App({ stackTraces: false, ...(opts.outdir === undefined ? {} : { outdir: opts.outdir }) });
  if (!tenantsStacksFromEnv(app, env)) {
    const settings = keystoreStackSettingsFromEnv(env);
    new VaultKeystoreStack(app, settings.stackId, settings.props);
  }
  app.synth();
  return app;
}
