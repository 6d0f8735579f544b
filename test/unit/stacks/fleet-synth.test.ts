// A fleet-sized tenants file synthesizes (not timed: bench/synth.ts measures speed), and the key server bundle
// is shipped once for the whole app, in one stack or a stack per tenant.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthApp } from "../../../stacks/app";
import { FLEET_ENV, synthFleet } from "../../../stacks/fleet-synthesis";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const TENANTS = 200;

describe("fleet synthesis", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fleet-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test(`GIVEN ${TENANTS} tenants in one stack WHEN synthesized THEN every tenant is there, the bundle is one file, and chunks of 50 write the same`, async () => {
    const names = Array.from({ length: TENANTS }, (_, i) => `t${String(i).padStart(4, "0")}`);
    const tenantsFile = path.join(work, "tenants.yaml");
    fs.writeFileSync(
      tenantsFile,
      `vault: { endpoint: https://vault.vault.svc:8200 }\nisolation: prefix\ntenants:\n${names.map((n) => `  - name: ${n}\n`).join("")}`,
    );
    const outdir = path.join(work, "out");
    synthApp(
      { KVK_TENANTS_FILE: tenantsFile, KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE, KVK_STACK_PER_TENANT: "false" },
      { outdir },
    );
    const stackDir = path.join(outdir, "stacks", "tenants");
    const text = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
    const j = JSON.parse(text) as Json;
    const deployments = Object.values(j.resource.kubernetes_deployment_v1 as Json);
    expect(deployments.map((d) => d.metadata.namespace).sort()).toEqual(names);
    expect(Object.keys(j.resource.kubernetes_stateful_set_v1)).toHaveLength(TENANTS);

    const bundleRefs = new Set(
      Object.values(j.resource.kubernetes_config_map_v1 as Json).map((m) => m.data["keyserver.cjs"]),
    );
    expect([...bundleRefs]).toEqual([
      expect.stringMatching(/^\$\{sensitive\(file\("\.\.\/\.\.\/assets\/KeyServerBundle\//),
    ]);
    expect(text).not.toContain("keyserver fixture");
    const assets = path.join(outdir, "assets", "KeyServerBundle");
    const [hash] = fs.readdirSync(assets);
    expect(fs.readdirSync(assets)).toHaveLength(1);
    expect(fs.readFileSync(path.join(assets, hash, "keyserver.cjs"), "utf8")).toBe(
      fs.readFileSync(FIXTURE_BUNDLE, "utf8"),
    );

    // In chunks of 50 tenants (what the app does for a fleet this size, stacks/fleet-synthesis.ts): the same file.
    const chunked = path.join(work, "out-chunked");
    const done = await synthFleet(
      {
        KVK_TENANTS_FILE: tenantsFile,
        KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
        KVK_STACK_PER_TENANT: "false",
        [FLEET_ENV.chunk]: "50",
      },
      { outdir: chunked },
    );
    expect(done).toEqual({ chunks: 4, workers: 1 });
    expect(fs.readFileSync(path.join(chunked, "stacks", "tenants", "cdk.tf.json"), "utf8")).toBe(text);
  }, 600_000);

  test("GIVEN 20 tenants, a stack each, WHEN synthesized twice with another bundle THEN cdktf.out holds only the new bundle, once, and every tenant names it", () => {
    const names = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(4, "0")}`);
    const tenantsFile = path.join(work, "tenants-per-stack.yaml");
    fs.writeFileSync(
      tenantsFile,
      `vault: { endpoint: https://vault.vault.svc:8200 }\nisolation: prefix\ntenants:\n${names.map((n) => `  - name: ${n}\n`).join("")}`,
    );
    const outdir = path.join(work, "out-per-stack");
    const env = { KVK_TENANTS_FILE: tenantsFile, KVK_STACK_PER_TENANT: "true" };
    synthApp({ ...env, KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE }, { outdir });
    const changed = path.join(work, "keyserver.cjs");
    fs.writeFileSync(changed, `${fs.readFileSync(FIXTURE_BUNDLE, "utf8")}// changed\n`);
    synthApp({ ...env, KVK_RUNTIME_BUNDLE: changed }, { outdir });

    const assets = path.join(outdir, "assets", "KeyServerBundle");
    const hashes = fs.readdirSync(assets);
    expect(hashes).toHaveLength(1);
    for (const name of names) {
      const stackDir = path.join(outdir, "stacks", `tenant-${name}`);
      expect(fs.readdirSync(stackDir)).not.toContain("assets");
      const j = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as Json;
      const [map] = Object.values(j.resource.kubernetes_config_map_v1 as Json);
      const file = /^\$\{sensitive\(file\("([^"]+)"\)\)\}$/.exec(map.data["keyserver.cjs"])?.[1] ?? "";
      expect(file).toBe(`../../assets/KeyServerBundle/${hashes[0]}/keyserver.cjs`);
      expect(fs.readFileSync(path.join(stackDir, file), "utf8")).toBe(fs.readFileSync(changed, "utf8"));
    }
  }, 600_000);
});
