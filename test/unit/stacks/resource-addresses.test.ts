// Every resource address (`type.logical_id`) and output name the repository's stacks synthesize, against the
// checked-in list in resource-addresses.json: a logical id that changes replaces a real resource (a K/V mount
// replaced = every tenant key lost), so any change fails here, loudly, whatever caused it. Construct child ids
// are public API (docs/platform-repo.md, "Upgrading across child-id changes"). Regenerate only for an intended
// change, and say in the commit how existing states move (e.g. `moved` blocks):
// `KVK_UPDATE_ADDRESSES=1 npx jest test/unit/stacks/resource-addresses.test.ts`.
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import { RuntimeSource } from "../../../constructs/kubernetes/runtime-source";
import { parseTenantsFile } from "../../../shared/tenants-file";
import { buildTenantsStacks, type TenantsStacksOptions } from "../../../stacks/tenants-stacks";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ROOT = path.resolve(__dirname, "..", "..", "..");
const SNAPSHOT = path.join(__dirname, "resource-addresses.json");
const UPDATE = process.env.KVK_UPDATE_ADDRESSES === "1";
const runtime = RuntimeSource.fromBundle(FIXTURE_BUNDLE);

/** The tenants files the addresses are taken from: the example, and Kubernetes login with a token reviewer. */
const FILES: Record<string, string> = {
  example: path.join(ROOT, "examples", "tenants.yaml"),
  "kubernetes-login": path.join(ROOT, "test", "live", "upgrade", "fixtures", "kubernetes-login.tenants.yaml"),
};
/** The layouts each file is built in. */
const LAYOUTS: Record<string, TenantsStacksOptions> = {
  "one-stack": { stackPerTenant: false },
  "stack-per-tenant": { stackPerTenant: true },
  "one-stack-without-kubernetes": { stackPerTenant: false, withoutKubernetes: true },
};

/** Resource addresses and output names of one stack, sorted. */
function addressesOf(stack: TerraformStack): { resources: string[]; outputs: string[] } {
  const j = JSON.parse(Testing.synth(stack, true)) as Json;
  return {
    resources: Object.entries((j.resource ?? {}) as Json)
      .flatMap(([type, group]) => Object.keys(group as Json).map((id) => `${type}.${id}`))
      .sort(),
    outputs: Object.keys(j.output ?? {}).sort(),
  };
}

/** Every case's stacks, keyed `<file>/<layout>/<stack id>`. */
function currentAddresses(): Record<string, { resources: string[]; outputs: string[] }> {
  const out: Record<string, { resources: string[]; outputs: string[] }> = {};
  for (const [fileName, file] of Object.entries(FILES)) {
    const parsed = parseTenantsFile(fs.readFileSync(file, "utf8"));
    for (const [layout, opts] of Object.entries(LAYOUTS)) {
      for (const stack of buildTenantsStacks(Testing.app(), parsed, { runtime, ...opts }))
        out[`${fileName}/${layout}/${stack.node.id}`] = addressesOf(stack);
    }
  }
  return out;
}

describe("resource addresses of the repository's stacks", () => {
  test("GIVEN the tenants files and layouts WHEN synthesized THEN every resource address and output name equals the checked-in list", () => {
    const current = currentAddresses();
    if (UPDATE) fs.writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
    const checkedIn = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as typeof current;
    expect(Object.keys(current).length).toBeGreaterThan(8);
    expect(Object.keys(current).sort()).toEqual(Object.keys(checkedIn).sort());
    for (const [key, a] of Object.entries(current)) {
      // One stack at a time, so that a failure names the stack and shows the addresses that moved.
      expect({ key, ...a }).toEqual({ key, ...checkedIn[key] });
    }
  });
});
