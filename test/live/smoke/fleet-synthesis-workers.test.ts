// The compiled app (scripts/run-app.mjs, as `cdktf synth` runs it) synthesizing a tenants file in chunks on worker
// threads writes what it writes in one piece, byte for byte, and a chunk's failure fails the synthesis with the
// chunk's message. The chunks in the app's own thread: test/unit/stacks/fleet-synthesis.test.ts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../scripts/testbed/env";

const FIXTURE = path.join(REPO_ROOT, "test", "unit", "stacks", "fixtures", "fleet-tenants.yaml");
const BUNDLE = path.join(REPO_ROOT, "test", "unit", "constructs", "kubernetes", "fixtures", "keyserver.cjs");

function tree(dir: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) Object.assign(out, tree(dir, p));
    else out[p] = fs.readFileSync(path.join(dir, p), "utf8");
  }
  return out;
}

function runApp(outdir: string, env: Record<string, string>) {
  const { KVK_SYNTH_CHUNK, KVK_SYNTH_WORKERS, ...inherited } = process.env; // eslint-disable-line @typescript-eslint/no-unused-vars
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "run-app.mjs")], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      CDKTF_OUTDIR: outdir,
      KVK_TENANTS_FILE: FIXTURE,
      KVK_STATE_DIR: "/var/lib/kvk",
      ...env,
    },
    encoding: "utf8",
    timeout: 300_000,
  });
}

describe("the compiled app, chunks on worker threads", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fleet-workers-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each(["true", "false"])(
    "GIVEN stack per tenant %s WHEN synthesized a tenant per chunk on 2 workers THEN cdktf.out is the one-piece synthesis, byte for byte",
    (perTenant) => {
      const env = { KVK_RUNTIME_BUNDLE: BUNDLE, KVK_STACK_PER_TENANT: perTenant };
      const whole = path.join(work, `whole-${perTenant}`);
      const chunked = path.join(work, `chunked-${perTenant}`);
      const a = runApp(whole, { ...env, KVK_SYNTH_CHUNK: "0" });
      expect([a.status, a.stderr]).toEqual([0, ""]);
      const b = runApp(chunked, { ...env, KVK_SYNTH_CHUNK: "1", KVK_SYNTH_WORKERS: "2" });
      expect([b.status, b.stderr]).toEqual([0, ""]);
      const t = tree(chunked);
      expect(Object.keys(t).length).toBeGreaterThan(2);
      expect(t).toEqual(tree(whole));
    },
  );

  test("fails when a chunk fails on a worker: exit 1, the chunk's error, no chunk folder left", () => {
    const outdir = path.join(work, "failing");
    const r = runApp(outdir, {
      KVK_RUNTIME_BUNDLE: path.join(work, "missing.cjs"),
      KVK_SYNTH_CHUNK: "1",
      KVK_SYNTH_WORKERS: "2",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`runtime bundle ${path.join(work, "missing.cjs")} does not exist`);
    expect(fs.readdirSync(outdir).filter((f) => f.startsWith(".kvk-chunks"))).toEqual([]);
  });
});
