// A fleet-sized tenants file synthesizes (not timed: bench/synth.ts measures speed), and the key server bundle
// is shipped once per stack instead of once per tenant.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthApp } from "../../../stacks/app";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const TENANTS = 200;

describe("fleet synthesis", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fleet-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test(`GIVEN ${TENANTS} tenants in one stack WHEN synthesized THEN every tenant is there and the bundle is one asset file`, () => {
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
      expect.stringMatching(/^\$\{sensitive\(file\("assets\/KeyServerBundle\//),
    ]);
    expect(text).not.toContain("keyserver fixture");
    const assets = path.join(stackDir, "assets", "KeyServerBundle");
    const [hash] = fs.readdirSync(assets);
    expect(fs.readdirSync(assets)).toHaveLength(1);
    expect(fs.readFileSync(path.join(assets, hash, "keyserver.cjs"), "utf8")).toBe(
      fs.readFileSync(FIXTURE_BUNDLE, "utf8"),
    );
  }, 600_000);
});
