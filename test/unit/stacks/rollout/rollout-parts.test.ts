import { Testing } from "cdktf";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RuntimeSource } from "../../../../constructs/kubernetes/runtime-source";
import { removePlanFiles } from "../../../../stacks/rollout/rollout";
import { stacksWithState, stateFileOf, readStackState } from "../../../../stacks/rollout/stack-state";
import { findStaleTenants, staleTenantsMessage } from "../../../../stacks/rollout/stale-tenants";
import { formatSummary, outcomeOf } from "../../../../stacks/rollout/summary";
import { readTerraformJson } from "../../../../stacks/rollout/terraform-json";
import { parseTenantsFile } from "../../../../shared/tenants-file";
import { buildTenantsStacks } from "../../../../stacks/tenants-stacks";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "kvk-rollout-unit-"));
const runtime = RuntimeSource.fromBundle(
  path.resolve(__dirname, "..", "..", "constructs", "kubernetes", "fixtures", "keyserver.cjs"),
);

describe("readTerraformJson", () => {
  test("GIVEN apply -json output WHEN read THEN the change summary and the error diagnostics come out", () => {
    const out = [
      '{"@level":"info","type":"version","terraform":"1.11.4"}',
      "stray provider line",
      '{"type":"diagnostic","diagnostic":{"severity":"warning","summary":"w"}}',
      '{"type":"diagnostic","diagnostic":{"severity":"error","summary":"Error making API request","detail":"403 permission denied","address":"vault_policy.p"}}',
      '{"type":"change_summary","changes":{"add":2,"change":1,"import":0,"remove":3,"operation":"apply"}}',
    ].join("\n");
    expect(readTerraformJson(out)).toEqual({
      changes: { add: 2, change: 1, remove: 3 },
      errors: ["vault_policy.p: Error making API request: 403 permission denied"],
    });
  });

  test("GIVEN output without a summary WHEN read THEN there are no changes to report", () => {
    expect(readTerraformJson("Error: no configuration").changes).toBeUndefined();
  });
});

describe("outcomeOf and formatSummary", () => {
  test.each([
    [{ add: 0, change: 0, remove: 0 }, true, false, "unchanged"],
    [{ add: 0, change: 0, remove: 0 }, true, true, "no changes"],
    [{ add: 5, change: 0, remove: 0 }, false, false, "created"],
    [{ add: 1, change: 0, remove: 1 }, true, true, "would change"],
    [{ add: 0, change: 0, remove: 9 }, true, false, "destroyed"],
    [{ add: 0, change: 0, remove: 9 }, true, true, "would destroy"],
  ])("outcomeOf(%j, had %s, planned %s) is %s", (changes, had, planned, outcome) => {
    expect(outcomeOf(changes, had, planned)).toBe(outcome);
  });

  test("GIVEN results WHEN formatted THEN one aligned row per stack and a closing count", () => {
    const text = formatSummary([
      {
        stack: "tenant-shared",
        tenants: [],
        outcome: "unchanged",
        changes: { add: 0, change: 0, remove: 0 },
      },
      {
        stack: "tenant-payments",
        tenants: ["payments"],
        outcome: "changed",
        changes: { add: 1, change: 2, remove: 1 },
      },
      { stack: "tenant-media", tenants: ["media"], outcome: "failed", error: "terraform apply failed: 403" },
    ]);
    expect(text.split("\n")).toEqual([
      "tenant           stack            result     resources  notes",
      "(shared mounts)  tenant-shared    unchanged  +0 ~0 -0",
      "payments         tenant-payments  changed    +1 ~2 -1",
      "media            tenant-media     failed                terraform apply failed: 403",
      "2 stacks ok, 1 failed",
    ]);
  });
});

describe("findStaleTenants", () => {
  const state = (resources: number, outputs: string[] = []) => ({ resources, outputs, file: "f" });

  test("GIVEN a tenant stack with resources whose tenant left the file WHEN checked THEN it is stale", () => {
    const states = new Map([
      ["tenant-shared", state(2)],
      ["tenant-a", state(10)],
      ["tenant-gone", state(10)],
      ["tenant-offboarded", state(0)],
    ]);
    expect(findStaleTenants(["a"], states).map((s) => s.name)).toEqual(["gone"]);
  });

  test("GIVEN the one-stack layout WHEN a tenant's outputs remain but it left the file THEN it is stale", () => {
    const states = new Map([
      ["tenants", state(40, ["a_b_key_server_endpoints", "c_key_server_endpoints", "c_role_id"])],
    ]);
    expect(findStaleTenants(["a-b"], states)).toEqual([{ name: "c", stack: "tenants", stateFile: "f" }]);
    expect(findStaleTenants(["a-b", "c"], states)).toEqual([]);
  });

  test("GIVEN stale tenants WHEN reported THEN the message names each and says how to offboard", () => {
    const msg = staleTenantsMessage([
      { name: "gone", stack: "tenant-gone", stateFile: "/s/tenant-gone.tfstate" },
    ]);
    expect(msg).toContain("  - gone (stack tenant-gone, state /s/tenant-gone.tfstate)");
    expect(msg).toContain("offboard: { keys: delete }");
  });
});

describe("stack state files and plan files", () => {
  test("GIVEN a state dir and the default location WHEN listed THEN the stack ids follow the naming rule", () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, "tenant-a.tfstate"),
      JSON.stringify({ resources: [{ mode: "managed" }, { mode: "data" }], outputs: { x: {} } }),
    );
    fs.writeFileSync(path.join(dir, "terraform.tenant-b.tfstate"), "{}");
    expect(stacksWithState(dir, "/nowhere").sort()).toEqual(["tenant-a", "terraform.tenant-b"]);
    expect(stacksWithState(undefined, dir)).toEqual(["tenant-b"]);
    expect(stateFileOf("tenant-a", dir, "/w")).toBe(path.join(dir, "tenant-a.tfstate"));
    expect(stateFileOf("tenant-a", undefined, "/w")).toBe("/w/terraform.tenant-a.tfstate");
    expect(readStackState(path.join(dir, "tenant-a.tfstate"))).toEqual({
      file: path.join(dir, "tenant-a.tfstate"),
      resources: 1,
      outputs: ["x"],
    });
    expect(readStackState(path.join(dir, "missing.tfstate"))).toBeUndefined();
  });

  test("GIVEN plan files left by cdktf diff WHEN removed THEN only they go", () => {
    const out = tmp();
    fs.mkdirSync(path.join(out, "stacks", "a"), { recursive: true });
    fs.mkdirSync(path.join(out, "stacks", "b"), { recursive: true });
    fs.writeFileSync(path.join(out, "stacks", "a", "plan"), "PK");
    fs.writeFileSync(path.join(out, "stacks", "a", "cdk.tf.json"), "{}");
    expect(removePlanFiles(out)).toEqual([path.join(out, "stacks", "a", "plan")]);
    expect(fs.readdirSync(path.join(out, "stacks", "a"))).toEqual(["cdk.tf.json"]);
  });
});

describe("offboarding in the tenants file", () => {
  const file = (mode: string, perTenant: boolean, offboard: string) =>
    `vault: { endpoint: "https://vault:8200" }\nisolation: ${mode}\nstackPerTenant: ${perTenant}\ntenants:\n  - name: a\n  - name: b\n    offboard: ${offboard}\n`;

  test("fails when offboard.keys says neither delete nor keep", () => {
    expect(() => parseTenantsFile(file("prefix", true, "{ keys: maybe }"))).toThrow(
      'tenant "b": offboard.keys "maybe" must say what happens to the tenant\'s keys in Vault: "delete" or "keep"',
    );
  });

  test("fails when keys are to be kept in namespace isolation, where the namespace takes them with it", () => {
    expect(() => parseTenantsFile(file("namespace", true, "{ keys: keep }"))).toThrow(
      'tenant "b": offboard.keys "keep" cannot be honoured in namespace isolation',
    );
  });

  test("GIVEN an offboarded tenant and a stack per tenant WHEN built THEN its stack has providers and backend only", () => {
    const stacks = buildTenantsStacks(
      Testing.app(),
      parseTenantsFile(file("prefix", true, "{ keys: keep }")),
      { runtime },
    );
    expect(stacks.map((s) => s.node.id)).toEqual(["tenant-shared", "tenant-b", "tenant-a"]);
    const b = JSON.parse(Testing.synth(stacks[1], true));
    expect(b.resource).toBeUndefined();
    expect(Object.keys(b.provider).sort()).toEqual(["kubernetes", "random", "time", "tls", "vault"]);
  });

  test("GIVEN an offboarded tenant in the one-stack layout WHEN built THEN it is left out of the stack", () => {
    const [stack] = buildTenantsStacks(
      Testing.app(),
      parseTenantsFile(file("prefix", false, "{ keys: delete }")),
      { runtime },
    );
    const j = JSON.parse(Testing.synth(stack, true));
    expect(Object.keys(j.output).some((o) => o.startsWith("b_"))).toBe(false);
    expect(Object.keys(j.output).some((o) => o.startsWith("a_"))).toBe(true);
  });
});
