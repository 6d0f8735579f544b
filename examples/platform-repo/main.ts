// The platform repository's cdktf app: two stacks built from kes-vault-kit, installed as a package.
//   platform-vault   Vault only: shared K/V and AppRole mounts, one TeamKeystore (this repo's construct) per team
//   platform-tenant  a whole tenant (KesTenant): keystore, identities, key server and MinIO on Kubernetes
// Credentials come from the environment at plan/apply time (VAULT_ADDR, VAULT_TOKEN, KUBE_CONFIG_PATH), never
// at synth.
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AppRoleAuth, KesTenant, KvMount, KvVersion, TenantKeystore } from "kes-vault-kit";
import { TeamKeystore } from "./team-keystore";

/** Optional settings of the pipeline that runs this app (e.g. against a local OpenBao and a provider mirror). */
const settings = {
  // OpenBao reports 2.x, which the vault provider misreads: override with the Vault API version it implements.
  vaultVersionOverride: process.env.VAULT_VERSION_OVERRIDE,
  // Exact provider versions a filesystem mirror holds, e.g. {"vault":"5.9.0"}.
  providerVersions: JSON.parse(process.env.PROVIDER_VERSIONS ?? "{}") as Record<string, string>,
};

function pinProviders(stack: TerraformStack, names: readonly string[]): void {
  for (const name of names) {
    const version = settings.providerVersions[name];
    if (version) stack.addOverride(`terraform.required_providers.${name}.version`, version);
  }
}

function vaultProvider(stack: TerraformStack): VaultProvider {
  return new VaultProvider(stack, "vault", {
    ...(settings.vaultVersionOverride ? { vaultVersionOverride: settings.vaultVersionOverride } : {}),
  });
}

class PlatformVaultStack extends TerraformStack {
  constructor(scope: Construct, id: string, teams: readonly string[]) {
    super(scope, id);
    vaultProvider(this);
    pinProviders(this, ["vault"]);
    const kvMount = new KvMount(this, "Kv", { path: "kv", version: KvVersion.V1 });
    const appRoleAuth = new AppRoleAuth(this, "AppRole", { path: "approle" });
    for (const team of teams) {
      new TeamKeystore(this, team, {
        team,
        kvMount,
        appRoleAuth,
        neighbours: teams.filter((t) => t !== team),
      });
    }
  }
}

class PlatformTenantStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    vaultProvider(this);
    new KubernetesProvider(this, "kubernetes", {});
    new TlsProvider(this, "tls", {});
    new RandomProvider(this, "random", {});
    pinProviders(this, ["vault", "kubernetes", "tls", "random"]);
    const tenant = new KesTenant(this, "media", {
      tenantName: "media",
      keystore: TenantKeystore.fromProps({ prefix: "media", kvVersion: KvVersion.V2 }),
      vaultEndpoint: "https://vault.vault.svc:8200",
      keyServer: { replicas: 3 },
      minio: { replicas: 4, storage: "100Gi" },
    });
    new TerraformOutput(this, "media_vault_policy", { value: tenant.keystore.keystorePolicyName });
  }
}

const app = new App();
new PlatformVaultStack(app, "platform-vault", ["payments", "analytics"]);
new PlatformTenantStack(app, "platform-tenant");
app.synth();
