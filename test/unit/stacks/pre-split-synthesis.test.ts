// The synthesis of the current code against stacks synthesized before the tenant split (KesTenant = TenantVault +
// TenantWorkloads as its child "Default"; copies in test/live/upgrade/fixtures/pre-split/, which the live upgrade
// test applies): equal except that the construct path in a resource's "//" comment block gains "/Default" for
// the workloads' objects. Logical ids, outputs and every value Terraform reads are the same, but for one intended
// change made after the split: the key server's `kes-vault-kit/checksum-config` annotation hashes the bundle's
// sha256 instead of the bundle (synthesis round 4, bench/README.md), so its value is compared as "a sha256" only.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { synthApp } from "../../../stacks/app";
import { buildTenantsStacks } from "../../../stacks/tenants-stacks";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ROOT = path.resolve(__dirname, "..", "..", "..");
const FIXTURES = path.join(ROOT, "test", "live", "upgrade", "fixtures");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Json;

const CONFIG_CHECKSUM = "kes-vault-kit/checksum-config";

/**
 * The stack with the "Default" path component taken out of every "//" metadata path, and the config checksum
 * annotation's value replaced by a placeholder (after checking that it is a sha256).
 */
function withoutDefaultInPaths(v: unknown, key = ""): unknown {
  if (key === CONFIG_CHECKSUM) {
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    return "<sha256>";
  }
  if (typeof v === "string") return key === "path" ? v.split("/Default/").join("/") : v;
  if (Array.isArray(v)) return v.map((x) => withoutDefaultInPaths(x));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutDefaultInPaths(x, k)]));
  return v;
}

describe("synthesis before and after the tenant split", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-pre-split-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("GIVEN the 3-tenant example in one stack WHEN synthesized THEN it equals the pre-split synthesis but for /Default in construct paths", () => {
    const outdir = path.join(work, "example");
    synthApp(
      {
        KVK_TENANTS_FILE: path.join(ROOT, "examples", "tenants.yaml"),
        KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
        KVK_STACK_PER_TENANT: "false",
        KVK_STATE_DIR: "/var/lib/kvk-golden",
      },
      { outdir },
    );
    const current = readJson(path.join(outdir, "stacks", "tenants", "cdk.tf.json"));
    const before = readJson(path.join(FIXTURES, "pre-split", "tenants-example.cdk.tf.json"));
    expect(JSON.stringify(current)).toContain("tenants/payments/Default/KeyServer/Deployment");
    expect(withoutDefaultInPaths(current)).toEqual(withoutDefaultInPaths(before));
  });

  test("GIVEN a Kubernetes-login tenant with its own token reviewer WHEN synthesized THEN it equals the pre-split synthesis but for /Default in construct paths", () => {
    const outdir = path.join(work, "kubernetes-login");
    const app = new App({ outdir, stackTraces: false });
    const yaml = fs.readFileSync(path.join(FIXTURES, "kubernetes-login.tenants.yaml"), "utf8");
    buildTenantsStacks(app, parseTenantsFile(yaml), {
      runtime: RuntimeSource.fromBundle(FIXTURE_BUNDLE),
      stateDir: "/var/lib/kvk-upgrade",
    });
    app.synth();
    const current = readJson(path.join(outdir, "stacks", "tenants", "cdk.tf.json"));
    const before = readJson(path.join(FIXTURES, "pre-split", "kubernetes-login.cdk.tf.json"));
    expect(JSON.stringify(current)).toContain("tenants/blue/Default/TokenReviewerToken");
    expect(withoutDefaultInPaths(current)).toEqual(withoutDefaultInPaths(before));
  });
});
