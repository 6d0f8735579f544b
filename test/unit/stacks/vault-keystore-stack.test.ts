import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import { Duration, KeystoreLogin, SecretIdRotation } from "../../../constructs";
import { VaultKeystoreStack, type VaultKeystoreStackProps } from "../../../stacks/vault-keystore-stack";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synthStack(props: Partial<VaultKeystoreStackProps> = {}): Json {
  const app = Testing.app();
  const stack = new VaultKeystoreStack(app, "ks", { keystore: { prefix: "payments" }, ...props });
  return JSON.parse(Testing.synth(stack));
}

describe("VaultKeystoreStack", () => {
  test("GIVEN vaultVersionOverride WHEN synthesized THEN the vault provider carries it and no address or token", () => {
    expect(synthStack({ vaultVersionOverride: "1.14.0" }).provider.vault).toEqual([
      { vault_version_override: "1.14.0" },
    ]);
  });

  test("GIVEN exact provider versions WHEN synthesized THEN they replace the bindings' versions of the providers in use only", () => {
    const json = synthStack({ providerVersions: { vault: "5.9.0", time: "0.13.1", kubernetes: "3.2.1" } });
    expect(json.terraform.required_providers).toEqual({
      vault: { source: "hashicorp/vault", version: "5.9.0" },
    });
  });

  test("GIVEN no provider versions WHEN synthesized THEN the binding's own vault version stands", () => {
    expect(synthStack().terraform.required_providers.vault).toEqual({
      source: "hashicorp/vault",
      version: "5.6.0",
    });
  });

  test("GIVEN a rotation WHEN synthesized THEN the time provider is added and pinned too", () => {
    const json = synthStack({
      keystore: {
        prefix: "p",
        login: KeystoreLogin.appRole({ secretIdRotation: SecretIdRotation.every(Duration.days(30)) }),
      },
      providerVersions: { vault: "5.9.0", time: "0.13.1" },
    });
    expect(json.terraform.required_providers.time).toEqual({ source: "hashicorp/time", version: "0.13.1" });
  });

  test("GIVEN the defaults WHEN synthesized THEN the secret-id output is sensitive and the accessor and role-id are plain", () => {
    const out = synthStack().output;
    expect(out.secret_id).toEqual({ sensitive: true, value: expect.stringMatching(/\.secret_id\}$/) });
    expect(out.secret_id_accessor.sensitive).toBeUndefined();
    expect(out.role_id.sensitive).toBeUndefined();
  });

  test("GIVEN the defaults WHEN synthesized THEN keystore_config is the spec's key server config as JSON", () => {
    expect(JSON.parse(synthStack().output.keystore_config.value)).toEqual({
      engine: "kv",
      version: "v1",
      prefix: "payments",
      approle: { engine: "approle" },
    });
  });

  test("GIVEN Kubernetes login WHEN synthesized THEN the role name is an output and there is no secret-id output", () => {
    const out = synthStack({
      keystore: {
        prefix: "p",
        login: KeystoreLogin.kubernetes({
          serviceAccountNames: ["kes"],
          serviceAccountNamespaces: ["minio"],
        }),
      },
    }).output;
    expect(out.kubernetes_role.value).toMatch(/vault_kubernetes_auth_backend_role\.\S+\.role_name/);
    expect(out.secret_id).toBeUndefined();
  });

  test("GIVEN the defaults WHEN synthesized THEN the resource addresses are the stable ones (renaming replaces real resources)", () => {
    const json = synthStack({
      keystore: {
        prefix: "p",
        namespace: "ns",
        transit: { key: "k" },
        login: KeystoreLogin.appRole({ secretIdRotation: SecretIdRotation.every(Duration.days(1)) }),
      },
    });
    const addresses = Object.entries(json.resource as Json).flatMap(([type, byId]) =>
      Object.keys(byId as Json).map((id) => `${type}.${id}`),
    );
    expect(addresses.sort()).toEqual([
      "time_rotating.Keystore_AppRole_SecretIdRotation_0C7EE90F",
      "vault_approle_auth_backend_role.Keystore_AppRole_13E7FBDA",
      "vault_approle_auth_backend_role_secret_id.Keystore_AppRole_SecretId_52352401",
      "vault_auth_backend.Keystore_AppRoleAuth_253FCF0B",
      "vault_mount.Keystore_KvMount_2ACDB4D5",
      "vault_mount.Keystore_TransitKey_Mount_987210AC",
      "vault_namespace.Keystore_Namespace_C0D34AA3",
      "vault_policy.Keystore_Policy_A38AADF6",
      "vault_transit_secret_backend_key.Keystore_TransitKey_2322B3A7",
    ]);
  });

  test("GIVEN existing mounts WHEN synthesized THEN the stack creates no mount", () => {
    const json = synthStack({ existingKvMount: true, existingAppRoleAuth: true });
    expect(json.resource.vault_mount).toBeUndefined();
    expect(json.resource.vault_auth_backend).toBeUndefined();
  });

  test("GIVEN a state folder WHEN fully synthesized THEN the local backend keeps <stack id>.tfstate in it", () => {
    const app = Testing.app();
    const stack = new VaultKeystoreStack(app, "ks", {
      keystore: { prefix: "p" },
      stateDir: "/tmp/kvk-state",
    });
    const dir = Testing.fullSynth(stack);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "stacks", "ks", "cdk.tf.json"), "utf8"));
    expect(json.terraform.backend).toEqual({ local: { path: "/tmp/kvk-state/ks.tfstate" } });
  });

  test("fails when the state folder is relative", () => {
    expect(() => synthStack({ stateDir: "state" })).toThrow(
      'stateDir "state" must be absolute: cdktf bakes it into cdk.tf.json, e.g. "/var/lib/kvk/state"',
    );
  });

  test("GIVEN VAULT_TOKEN and a secret-looking env WHEN the app is synthesized to disk THEN cdktf.out holds no token, secret-id or key material", () => {
    const sentinel = `hvs.sentinel-${Date.now()}`;
    const saved = process.env.VAULT_TOKEN;
    process.env.VAULT_TOKEN = sentinel;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-synth-"));
    try {
      const app = new App({ outdir, skipValidation: false });
      new VaultKeystoreStack(app, "ks", {
        keystore: {
          prefix: "p",
          transit: { key: "k" },
          login: KeystoreLogin.appRole({ secretIdRotation: SecretIdRotation.every(Duration.days(1)) }),
        },
        stateDir: path.join(outdir, "state"),
      });
      app.synth();
      const files = fs
        .readdirSync(outdir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile());
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        const text = fs.readFileSync(path.join(f.parentPath ?? f.path, f.name), "utf8");
        expect([f.name, text.includes(sentinel), /PRIVATE KEY/.test(text)]).toEqual([f.name, false, false]);
      }
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "ks", "cdk.tf.json"), "utf8"));
      // The secret-id is generated by Vault at apply time: never a literal in the configuration.
      for (const r of Object.values(json.resource.vault_approle_auth_backend_role_secret_id) as Json[]) {
        expect(r.secret_id).toBeUndefined();
      }
      expect(json.output.secret_id.value).toMatch(/^\$\{[^}]+\}$/);
    } finally {
      if (saved === undefined) delete process.env.VAULT_TOKEN;
      else process.env.VAULT_TOKEN = saved;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
