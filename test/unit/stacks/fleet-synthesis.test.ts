// A tenants file synthesized in chunks (stacks/fleet-synthesis.ts) writes what the whole app writes, byte for byte,
// keeps what an earlier deploy left in the output folder, and reports a chunk's failure. The compiled app on
// worker threads: test/live/smoke/fleet-synthesis-workers.test.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthApp } from "../../../stacks/app";
import { FLEET_ENV, planFleetSynthesis, synthFleet } from "../../../stacks/fleet-synthesis";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

const FIXTURES = path.join(__dirname, "fixtures");

/** Every file under `dir` by relative path, with its bytes. */
function tree(dir: string, rel = ""): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) for (const [k, v] of tree(dir, p)) out.set(k, v);
    else out.set(p, fs.readFileSync(path.join(dir, p)));
  }
  return out;
}

/** `tree` with the bytes as text, for a readable diff when they differ. */
const texts = (dir: string) => Object.fromEntries([...tree(dir)].map(([k, v]) => [k, v.toString("utf8")]));

describe("chunked synthesis of a tenants file", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fleet-chunks-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const cases = [
    // fixture, stack per tenant, chunks (one stack: the offboarded tenant is in no chunk)
    ["fleet-tenants.yaml", "true", 5],
    ["fleet-tenants.yaml", "false", 4],
    ["fleet-tenants-namespaces.yaml", "true", 3],
    ["fleet-tenants-namespaces.yaml", "false", 3],
  ] as const;
  test.each(cases)(
    "GIVEN %s, stack per tenant %s, WHEN synthesized a tenant per chunk THEN cdktf.out is the whole app's, byte for byte",
    async (fixture, perTenant, chunks) => {
      const env = {
        KVK_TENANTS_FILE: path.join(FIXTURES, fixture),
        KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
        KVK_STACK_PER_TENANT: perTenant,
        KVK_STATE_DIR: "/var/lib/kvk-golden",
      };
      const whole = path.join(work, `${fixture}-${perTenant}-whole`);
      const chunked = path.join(work, `${fixture}-${perTenant}-chunked`);
      synthApp(env, { outdir: whole });
      const done = await synthFleet({ ...env, [FLEET_ENV.chunk]: "1" }, { outdir: chunked });
      expect(done).toEqual({ chunks, workers: 1 });
      expect(texts(chunked)).toEqual(texts(whole));
      expect(fs.readdirSync(chunked).filter((f) => f.startsWith(".kvk-chunks"))).toEqual([]);
    },
  );

  test("GIVEN an output folder a deploy used WHEN synthesized again in chunks THEN its state, .terraform and plans stay, the stack files are new", async () => {
    const env = {
      KVK_TENANTS_FILE: path.join(FIXTURES, "fleet-tenants.yaml"),
      KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
      KVK_STACK_PER_TENANT: "true",
      [FLEET_ENV.chunk]: "2",
    };
    const outdir = path.join(work, "deployed");
    await synthFleet(env, { outdir });
    const stack = path.join(outdir, "stacks", "tenant-payments");
    fs.writeFileSync(path.join(stack, "terraform.tenant-payments.tfstate"), "{}");
    fs.mkdirSync(path.join(stack, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(stack, ".terraform", "providers", "marker"), "x");
    fs.writeFileSync(path.join(stack, "cdk.tf.json"), "stale");
    fs.mkdirSync(path.join(outdir, "assets", "KeyServerBundle", "0ld"), { recursive: true });

    await synthFleet(env, { outdir });
    expect(fs.readFileSync(path.join(stack, "terraform.tenant-payments.tfstate"), "utf8")).toBe("{}");
    expect(fs.readFileSync(path.join(stack, ".terraform", "providers", "marker"), "utf8")).toBe("x");
    expect(fs.readFileSync(path.join(stack, "cdk.tf.json"), "utf8")).toContain('"resource"');
    // As the whole app does: the folder of a bundle no stack ships any more is removed.
    expect(fs.readdirSync(path.join(outdir, "assets", "KeyServerBundle"))).toHaveLength(1);
  });

  test("fails when a chunk fails on a worker, with the worker's message, and leaves no chunk folder", async () => {
    const outdir = path.join(work, "failing");
    await expect(
      synthFleet(
        {
          KVK_TENANTS_FILE: path.join(FIXTURES, "fleet-tenants.yaml"),
          KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
          [FLEET_ENV.chunk]: "1",
          [FLEET_ENV.workers]: "2",
        },
        { outdir, workerScript: path.join(FIXTURES, "failing-synthesis-worker.js") },
      ),
    ).rejects.toThrow(/tenant (payments|analytics) cannot be synthesized/);
    expect(fs.readdirSync(outdir).filter((f) => f.startsWith(".kvk-chunks"))).toEqual([]);
    expect(fs.existsSync(path.join(outdir, "manifest.json"))).toBe(false);
  });

  test("GIVEN a file of fewer tenants than a chunk WHEN synthesized THEN in one piece, as synthApp writes it", async () => {
    const env = {
      KVK_TENANTS_FILE: path.join(FIXTURES, "fleet-tenants.yaml"),
      KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
      KVK_STATE_DIR: "/var/lib/kvk-golden",
    };
    const whole = path.join(work, "small-whole");
    const fleet = path.join(work, "small-fleet");
    synthApp(env, { outdir: whole });
    await expect(synthFleet(env, { outdir: fleet, workerScript: "unused.js" })).resolves.toEqual({
      chunks: 1,
      workers: 1,
    });
    expect(texts(fleet)).toEqual(texts(whole));
  });

  test("GIVEN no tenants file WHEN asked THEN it leaves the app to synthApp", async () => {
    await expect(synthFleet({}, { outdir: path.join(work, "none") })).resolves.toBeUndefined();
  });
});

describe("planFleetSynthesis", () => {
  const file = (n: number, extra = "") =>
    parseTenantsFile(
      `vault: { endpoint: "https://vault:8200" }\nisolation: prefix\n${extra}tenants:\n${Array.from(
        { length: n },
        (_, i) => `  - name: t${i}\n${i === 0 ? "    offboard: { keys: keep }\n" : ""}`,
      ).join("")}`,
    );

  test("GIVEN at most a chunk of tenants WHEN planned THEN one piece", () => {
    expect(planFleetSynthesis(file(101), {}, { [FLEET_ENV.chunk]: "100" }, true)).toBeUndefined();
    expect(planFleetSynthesis(file(3), {}, { [FLEET_ENV.chunk]: "3" }, true)).toBeUndefined();
  });

  test("GIVEN no KVK_SYNTH_CHUNK WHEN planned THEN one piece up to 400 tenants, chunks of at most 100 above", () => {
    expect(planFleetSynthesis(file(401), {}, {}, true)).toBeUndefined(); // 400 active: t0 is offboarded
    expect(planFleetSynthesis(file(402), {}, {}, false)?.chunks.map((c) => c.tenants.length)).toEqual([
      80, 80, 80, 80, 81,
    ]);
  });

  test("GIVEN KVK_SYNTH_CHUNK=0 or HCL output WHEN planned THEN one piece", () => {
    expect(planFleetSynthesis(file(500), {}, { [FLEET_ENV.chunk]: "0" }, true)).toBeUndefined();
    expect(planFleetSynthesis(file(500), {}, { SYNTH_HCL_OUTPUT: "true" }, true)).toBeUndefined();
  });

  test("GIVEN one stack WHEN planned THEN chunks of its active tenants in file order", () => {
    const plan = planFleetSynthesis(file(6), {}, { [FLEET_ENV.chunk]: "2" }, false);
    expect(plan?.oneStack).toBe(true);
    expect(plan?.chunks.map((c) => c.tenants.map((t) => t.name))).toEqual([
      ["t1"],
      ["t2", "t3"],
      ["t4", "t5"],
    ]);
    expect(plan?.workers).toBe(1);
  });

  test("GIVEN 301 tenants by 250 WHEN planned THEN two chunks of even sizes", () => {
    const plan = planFleetSynthesis(file(301), {}, { [FLEET_ENV.chunk]: "250" }, false);
    expect(plan?.chunks.map((c) => c.tenants.length)).toEqual([150, 150]);
  });

  test("GIVEN a stack per tenant WHEN planned THEN the offboarded tenant is in a chunk too", () => {
    const plan = planFleetSynthesis(file(3), { stackPerTenant: true }, { [FLEET_ENV.chunk]: "2" }, false);
    expect(plan?.oneStack).toBe(false);
    expect(plan?.chunks.map((c) => c.tenants.map((t) => t.name))).toEqual([["t0"], ["t1", "t2"]]);
  });

  test("GIVEN worker threads WHEN planned THEN KVK_SYNTH_WORKERS, at most one per chunk", () => {
    const env = { [FLEET_ENV.chunk]: "100" };
    expect(planFleetSynthesis(file(1000), {}, { ...env, [FLEET_ENV.workers]: "3" }, true)?.workers).toBe(3);
    expect(planFleetSynthesis(file(250), {}, { ...env, [FLEET_ENV.workers]: "8" }, true)?.workers).toBe(3);
    expect(planFleetSynthesis(file(1000), {}, { ...env, [FLEET_ENV.workers]: "8" }, false)?.workers).toBe(1);
    const byCores = planFleetSynthesis(file(1000), {}, env, true)?.workers ?? 0;
    expect(byCores).toBe(Math.min(os.availableParallelism(), 4));
  });

  test("fails when KVK_SYNTH_CHUNK or KVK_SYNTH_WORKERS is not a whole number, naming it", () => {
    expect(() => planFleetSynthesis(file(2), {}, { [FLEET_ENV.chunk]: "many" }, true)).toThrow(
      'KVK_SYNTH_CHUNK "many" must be a whole number (0 or more)',
    );
    expect(() => planFleetSynthesis(file(2), {}, { [FLEET_ENV.workers]: "-1" }, true)).toThrow(
      'KVK_SYNTH_WORKERS "-1" must be a whole number (0 or more)',
    );
    expect(() => planFleetSynthesis(file(2), {}, { [FLEET_ENV.workers]: "0" }, true)).toThrow(
      'KVK_SYNTH_WORKERS "0" must be 1 or more',
    );
  });
});
