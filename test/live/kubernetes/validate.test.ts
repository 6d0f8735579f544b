// Every stack the kit synthesizes, checked with the real tools (no cluster can run here):
// - `terraform init` + `terraform validate` with the real kubernetes, vault, tls, random providers from the
//   test bed's mirror (exact versions of KVK_PROVIDER_VERSIONS);
// - JSON-schema validation (kubernetes-validate --strict, Kubernetes 1.33) of the Kubernetes objects rendered
//   from the synthesized kubernetes_* resources.
// The real runtime bundle (runtime/dist/keyserver.cjs) is shipped, so its Terraform escaping is checked too.
import { App } from "cdktf";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { REPO_ROOT, loadTestbedEnv, testbedBinary, testbedProcessEnv } from "../../../scripts/testbed/env";
import { kubernetesManifests } from "../../../constructs/kubernetes/kubernetes-manifests";
import { KeystoreLogin } from "../../../constructs/vault/keystore-login";
import { TenantStack } from "../../../stacks/tenant-stack";
import { buildTenantsStacks } from "../../../stacks/tenants-stacks";
import { parseTenantsFile } from "../../../shared/tenants-file";

const execFileAsync = promisify(execFile);
const KUBERNETES_VERSION = "1.33.0";

const NAMESPACE_MODE = `
vault: { endpoint: "https://vault.vault.svc:8200", kvEngine: kv, kvVersion: 2, parentNamespace: tenants, versionOverride: "1.14.0" }
isolation: namespace
tenants:
  - name: blue
    keyServer: { replicas: 2, networkPolicy: true }
    minio: { replicas: 4, storage: 50Gi }
  - name: green
    minio: { replicas: 1 }
`;

async function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const r = await execFileAsync(cmd, args, {
      cwd,
      env: testbedProcessEnv(),
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === "number" ? e.code : 1,
      out: `${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`,
    };
  }
}

describe("synthesized stacks against the real kubernetes provider and the Kubernetes schemas", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-k8s-validate-"));
  let stackIds: string[] = [];
  let terraform: string;
  let kubernetesValidate: string;

  beforeAll(async () => {
    terraform = testbedBinary("terraform");
    const providerVersions = loadTestbedEnv().providerVersions;
    if (!providerVersions.kubernetes) {
      throw new Error(
        "the test bed's mirror has no kubernetes provider (KVK_PROVIDER_VERSIONS); run: bash scripts/testbed/install.sh provider-kubernetes",
      );
    }
    const installer = await run(
      "bash",
      [path.join(REPO_ROOT, "scripts", "testbed", "kubernetes-validate.sh")],
      REPO_ROOT,
    );
    if (installer.code !== 0)
      throw new Error(`kubernetes-validate could not be installed:\n${installer.out}`);
    kubernetesValidate = installer.out.trim().split("\n").pop() as string;

    const app = new App({ outdir });
    const opts = { providerVersions, stateDir: outdir };
    const example = parseTenantsFile(
      fs.readFileSync(path.join(REPO_ROOT, "examples", "tenants.yaml"), "utf8"),
    );
    buildTenantsStacks(app, example, opts);
    buildTenantsStacks(app, parseTenantsFile(NAMESPACE_MODE), { ...opts, stackPerTenant: false });
    // The single-tenant stack with Kubernetes login and a certificate from an existing Secret (cert-manager).
    new TenantStack(app, "single-ledger", {
      ...opts,
      vaultVersionOverride: "1.14.0",
      tenant: {
        tenantName: "ledger",
        vaultEndpoint: "https://vault.vault.svc:8200",
        keystore: {
          prefix: "ledger",
          login: KeystoreLogin.kubernetes({
            serviceAccountNames: ["keyserver"],
            serviceAccountNamespaces: ["ledger"],
          }),
        },
        keyServer: { tlsSecretName: "ledger-keyserver-tls", networkPolicy: { probeCidrs: ["10.0.0.0/16"] } },
        minio: { replicas: 1, autoEncryption: true },
      },
    });
    app.synth();
    stackIds = Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks);
  }, 600_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("GIVEN the example file, a namespace-mode file and a single tenant WHEN synthesized THEN every expected stack is there", () => {
    expect(stackIds.sort()).toEqual([
      "single-ledger",
      "tenant-analytics",
      "tenant-media",
      "tenant-payments",
      "tenant-shared",
      "tenants",
    ]);
  });

  test("GIVEN every synthesized stack WHEN terraform init and validate run with the mirror's providers THEN each is valid", async () => {
    const failures: string[] = [];
    for (const id of stackIds) {
      const dir = path.join(outdir, "stacks", id);
      const init = await run(terraform, ["init", "-input=false", "-no-color"], dir);
      if (init.code !== 0) {
        failures.push(`${id}: terraform init failed\n${init.out}`);
        continue;
      }
      const validate = await run(terraform, ["validate", "-json", "-no-color"], dir);
      const result = JSON.parse(validate.out.slice(validate.out.indexOf("{"))) as {
        valid: boolean;
        diagnostics: unknown[];
      };
      if (!result.valid) failures.push(`${id}: ${JSON.stringify(result.diagnostics, null, 2)}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);

  test("GIVEN the stacks with Kubernetes objects WHEN rendered and schema-validated strictly THEN every object passes", async () => {
    const failures: string[] = [];
    let objects = 0;
    for (const id of stackIds) {
      const synthesized = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", id, "cdk.tf.json"), "utf8"));
      const manifests = kubernetesManifests(synthesized);
      if (manifests.length === 0) continue;
      objects += manifests.length;
      const file = path.join(outdir, `${id}.yaml`);
      // YAML 1.1 quoting: kubectl and the validator read `on` as a boolean.
      fs.writeFileSync(
        file,
        manifests.map((m) => stringify(m.object, { lineWidth: 0, version: "1.1" })).join("---\n"),
      );
      const r = await run(kubernetesValidate, ["-k", KUBERNETES_VERSION, "--strict", file], outdir);
      const passed = (r.out.match(/ passed for resource /g) ?? []).length;
      if (r.code !== 0 || passed !== manifests.length)
        failures.push(
          `${id}: ${passed}/${manifests.length} passed\n${r.out
            .split("\n")
            .filter((l) => !l.startsWith("INFO"))
            .join("\n")}`,
        );
    }
    expect(failures).toEqual([]);
    // 4 tenants with a namespace each, 2 with a NetworkPolicy... at least the 12 objects of every tenant.
    expect(objects).toBeGreaterThanOrEqual(6 * 12);
  }, 600_000);

  test("GIVEN every synthesized stack WHEN searched THEN no private key, certificate, API key or secret-id is in it", () => {
    for (const id of stackIds) {
      const text = fs.readFileSync(path.join(outdir, "stacks", id, "cdk.tf.json"), "utf8");
      // A PEM block is its header followed by base64 (the bundle holds the bare header in a regex).
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----(\\n|\s)*[A-Za-z0-9+/=]{40}/);
      expect(text).not.toMatch(/kes:v1:[A-Za-z0-9+/]{40}/);
      expect(text).not.toMatch(/"vault-secret-id":\s*"[^$]/);
    }
  });
});
