// Upgrading across the tenant split (KesTenant = TenantVault + TenantWorkloads as its "Default" child): stacks
// synthesized before the split (checked-in copies in fixtures/pre-split/, see fixtures/README.md) are applied
// with Terraform against OpenBao and the test bed's Kubernetes control plane; the current synthesis of the same
// input is then planned on the same state and must replace, destroy or create nothing (every resource a no-op),
// and once applied leave nothing to change. A third case is the local flow: the Vault half alone (TenantVault,
// `withoutKubernetes`) applied first, then the whole tenants on the same state: only the Kubernetes objects are
// added and the auth mount's config gets its token reviewer, nothing is replaced.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { App } from "cdktf";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { loadTestbedEnv, REPO_ROOT, testbedBinary, testbedProcessEnv } from "../../../scripts/testbed/env";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { buildTenantsStacks } from "../../../stacks/tenants-stacks";
import { destructiveChanges, plannedChanges, plannedResourceCount, type PlannedChange } from "./plan-changes";

jest.setTimeout(1_800_000);
const execFileAsync = promisify(execFile);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = path.join(__dirname, "fixtures");
const PRE_SPLIT = path.join(FIXTURES, "pre-split");
const EXAMPLE = path.join(REPO_ROOT, "examples", "tenants.yaml");
const KUBERNETES_LOGIN = path.join(FIXTURES, "kubernetes-login.tenants.yaml");
const runtime = RuntimeSource.fromBundle(
  path.join(REPO_ROOT, "test", "unit", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
);
/** The placeholders of kubernetes-login.tenants.yaml, as they appear in a synthesized stack. */
const PLACEHOLDER_API_SERVER = "https://kvk-upgrade-apiserver:6443";
const PLACEHOLDER_CA = "-----BEGIN CERTIFICATE-----\nKVKUPGRADEPLACEHOLDERCA\n-----END CERTIFICATE-----\n";

let bao: OpenBaoServer;
let kube: KubeControlPlane;
let work: string;

beforeAll(async () => {
  kube = await startKubeControlPlane({ nodes: 2 });
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-split-upgrade-"));
});

afterAll(async () => {
  await bao?.stop();
  await kube?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A fresh OpenBao per case: the cases mount the same K/V and auth paths. */
async function freshOpenBao(): Promise<void> {
  await bao?.stop();
  bao = await startOpenBao();
}

/** Runs terraform in `dir` against this run's OpenBao and control plane; the exit code comes back, not thrown. */
async function terraform(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await execFileAsync(testbedBinary("terraform"), [...args, "-no-color"], {
      cwd: dir,
      env: testbedProcessEnv({ ...bao.env, ...kube.env }),
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, out: `${err.stdout ?? ""}\n${err.stderr ?? ""}` };
  }
}

async function mustTerraform(dir: string, args: string[]): Promise<string> {
  const r = await terraform(dir, args);
  if (r.code !== 0)
    throw new Error(`terraform ${args[0]} in ${dir} failed (${r.code}):\n${r.out.slice(-4000)}`);
  return r.out;
}

/** The changes the current synthesis in `dir` would make to the state (a saved plan read back as JSON). */
async function planChanges(dir: string): Promise<{ changes: PlannedChange[]; considered: number }> {
  await mustTerraform(dir, ["plan", "-input=false", "-lock-timeout=60s", "-out=upgrade.tfplan"]);
  const plan = JSON.parse(await mustTerraform(dir, ["show", "-json", "upgrade.tfplan"])) as Json;
  return { changes: plannedChanges(plan), considered: plannedResourceCount(plan) };
}

/** Replaces the placeholder API server and CA (in every string of the stack) with the control plane's. */
function withControlPlane(v: unknown): unknown {
  if (typeof v === "string")
    return v === PLACEHOLDER_CA ? kube.caPem : v.split(PLACEHOLDER_API_SERVER).join(kube.server);
  if (Array.isArray(v)) return v.map(withControlPlane);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withControlPlane(x)]));
  return v;
}

const stackFile = (outdir: string) => path.join(outdir, "stacks", "tenants", "cdk.tf.json");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Json;
const writeJson = (file: string, v: unknown) => fs.writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);

/**
 * Synthesizes a tenants file with the current code as one stack named "tenants" (state in `stateDir`) and puts
 * the control plane's address and CA in place of the placeholders; returns the stack's folder.
 */
function synthCurrent(
  tenantsYaml: string,
  outdir: string,
  stateDir: string,
  withoutKubernetes = false,
): string {
  const app = new App({ outdir, stackTraces: false });
  buildTenantsStacks(app, parseTenantsFile(tenantsYaml), {
    runtime,
    stateDir,
    stackPerTenant: false,
    vaultVersionOverride: "1.14.0",
    // The provider builds the test bed has (its kubernetes provider is newer than the bindings' pin).
    providerVersions: loadTestbedEnv().providerVersions,
    withoutKubernetes,
  });
  app.synth();
  writeJson(stackFile(outdir), withControlPlane(readJson(stackFile(outdir))));
  return path.dirname(stackFile(outdir));
}

const CONFIG_CHECKSUM = "kes-vault-kit/checksum-config";

/**
 * `old` with the value of every `kes-vault-kit/checksum-config` annotation taken from the same place in `current`.
 * The annotation's scheme changed after the split (synthesis round 4: sha256 of the config and the bundle's
 * sha256, not of the bundle itself), an intended change of its own that rolls the pods once; this test checks
 * the split, so that value is not part of the comparison (the unit tests check the annotation itself).
 */
function withCurrentConfigChecksums(old: unknown, current: unknown): unknown {
  if (Array.isArray(old))
    return old.map((x, i) => withCurrentConfigChecksums(x, Array.isArray(current) ? current[i] : undefined));
  if (old === null || typeof old !== "object") return old;
  const cur = (current !== null && typeof current === "object" ? current : {}) as Json;
  return Object.fromEntries(
    Object.entries(old).map(([k, x]) => [
      k,
      k === CONFIG_CHECKSUM && typeof cur[k] === "string" ? cur[k] : withCurrentConfigChecksums(x, cur[k]),
    ]),
  );
}

/**
 * The pre-split synthesis as a stack folder next to the current one: the checked-in cdk.tf.json with this run's
 * provider settings and backend (the current synthesis' `provider` and `terraform` blocks: they are the run's
 * environment, not what the upgrade changes), the current config checksum annotations (see
 * withCurrentConfigChecksums) and the same bundle asset (identical fixture, identical path).
 */
function preSplitStack(fixture: string, currentOutdir: string, outdir: string): string {
  fs.cpSync(currentOutdir, outdir, { recursive: true });
  const current = readJson(stackFile(currentOutdir));
  const old = withCurrentConfigChecksums(
    withControlPlane(readJson(path.join(PRE_SPLIT, fixture))),
    current,
  ) as Json;
  writeJson(stackFile(outdir), { ...old, provider: current.provider, terraform: current.terraform });
  return path.dirname(stackFile(outdir));
}

/** Applies the pre-split stack, then plans the current one on the same state: nothing may change. */
async function upgradeFromPreSplit(name: string, fixture: string, tenantsYaml: string): Promise<void> {
  await freshOpenBao();
  const dir = path.join(work, name);
  const state = path.join(dir, "state");
  fs.mkdirSync(state, { recursive: true, mode: 0o700 });
  const current = synthCurrent(tenantsYaml, path.join(dir, "current"), state);
  const old = preSplitStack(fixture, path.join(dir, "current"), path.join(dir, "pre-split"));

  await mustTerraform(old, ["init", "-input=false"]);
  let t0 = Date.now();
  await mustTerraform(old, ["apply", "-auto-approve", "-input=false", "-lock-timeout=60s"]);
  const applySeconds = (Date.now() - t0) / 1000;

  await mustTerraform(current, ["init", "-input=false"]);
  const { changes, considered } = await planChanges(current);
  console.info(
    `${name}: pre-split apply ${applySeconds.toFixed(1)} s; current plan considered ${considered} resources, changes: ${JSON.stringify(changes)}`,
  );
  expect(considered).toBeGreaterThan(20);
  expect(destructiveChanges(changes)).toEqual([]);
  expect(changes).toEqual([]);

  t0 = Date.now();
  await mustTerraform(current, [
    "apply",
    "-auto-approve",
    "-input=false",
    "-lock-timeout=60s",
    "upgrade.tfplan",
  ]);
  const after = await terraform(current, ["plan", "-input=false", "-detailed-exitcode", "-lock-timeout=60s"]);
  console.info(`${name}: current apply ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  expect(after.code).toBe(0);
}

describe("upgrade across the tenant split", () => {
  test("GIVEN the 3-tenant example applied as synthesized before the split WHEN the current synthesis is planned on its state THEN no resource is replaced, destroyed, created or updated", async () => {
    await upgradeFromPreSplit("example", "tenants-example.cdk.tf.json", fs.readFileSync(EXAMPLE, "utf8"));
  });

  test("GIVEN a Kubernetes-login tenant with its own token reviewer applied as synthesized before the split WHEN the current synthesis is planned on its state THEN no resource changes", async () => {
    await upgradeFromPreSplit(
      "kubernetes-login",
      "kubernetes-login.cdk.tf.json",
      fs.readFileSync(KUBERNETES_LOGIN, "utf8"),
    );
  });

  test("GIVEN the Vault half alone applied (the local flow's TenantVault stack) WHEN the whole tenants are planned on its state THEN only Kubernetes objects are created and the auth mount's config gains its reviewer, nothing is replaced", async () => {
    await freshOpenBao();
    const dir = path.join(work, "vault-half-first");
    const state = path.join(dir, "state");
    fs.mkdirSync(state, { recursive: true, mode: 0o700 });
    // Other tenant names than the case before: its namespaces are still in the control plane.
    const yaml = fs
      .readFileSync(KUBERNETES_LOGIN, "utf8")
      .replace("name: blue", "name: teal")
      .replace("name: green", "name: lime");
    const bare = synthCurrent(yaml, path.join(dir, "bare"), state, true);
    const bareTypes = Object.keys(readJson(stackFile(path.join(dir, "bare"))).resource as Json);
    expect(bareTypes.filter((t) => t.startsWith("kubernetes_"))).toEqual([]);
    await mustTerraform(bare, ["init", "-input=false"]);
    await mustTerraform(bare, ["apply", "-auto-approve", "-input=false", "-lock-timeout=60s"]);

    const full = synthCurrent(yaml, path.join(dir, "full"), state);
    await mustTerraform(full, ["init", "-input=false"]);
    const { changes } = await planChanges(full);
    console.info(`vault-half-first: changes: ${JSON.stringify(changes)}`);
    expect(destructiveChanges(changes)).toEqual([]);
    const unexpected = changes.filter(
      (c) =>
        !(c.actions.join() === "create" && c.address.startsWith("kubernetes_")) &&
        !(c.actions.join() === "update" && c.address.startsWith("vault_kubernetes_auth_backend_config.")),
    );
    expect(unexpected).toEqual([]);
    expect(changes.filter((c) => c.actions.join() === "update").map((c) => c.address)).toEqual([
      expect.stringMatching(
        /^vault_kubernetes_auth_backend_config\.teal_Keystore_KubernetesAuthBackend_Config_/,
      ),
    ]);
    expect(changes.filter((c) => c.address.startsWith("kubernetes_deployment_v1.")).length).toBe(2);

    await mustTerraform(full, [
      "apply",
      "-auto-approve",
      "-input=false",
      "-lock-timeout=60s",
      "upgrade.tfplan",
    ]);
    const after = await terraform(full, ["plan", "-input=false", "-detailed-exitcode", "-lock-timeout=60s"]);
    expect(after.code).toBe(0);
  });
});
