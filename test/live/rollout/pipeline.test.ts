// The pipeline over many tenant stacks (npm run rollout -- diff|deploy) against a real OpenBao with the real
// vault/tls/random providers: tenants whose prefixes are near each other, once a stack each (K/V v1) and once in
// one stack (K/V v2), stay isolated in every direction; nothing secret lands under cdktf.out; a tenant removed
// from the file blocks the rollout until it is offboarded, and offboarding revokes it and deletes its keys
// without touching the others. The Vault half only (KVK_WITHOUT_KUBERNETES): no cluster is needed for it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KeystoreSpec } from "../../../constructs/vault/keystore-spec";
import { REPO_ROOT, testbedProcessEnv } from "../../../scripts/testbed/env";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import {
  keyServerProbes,
  login,
  loginStatus,
  otherTenantProbes,
  runKeyServerRequests,
  runProbes,
} from "../vault/key-server-requests";
import {
  filesContaining,
  pipeline,
  rollout,
  secretIdsByRole,
  stateSecrets,
  tenantSpecs,
  type Pipeline,
} from "./pipeline-support";

jest.setTimeout(600_000);

/** Prefixes near each other: none is inside another, and the old default names of the last two were equal. */
const TENANTS: string[][] = [
  ["t", "t"],
  ["t-1", "t-1"],
  ["t1", "t1"],
  ["tt", "tt"],
  ["eu-shop", "eu-shop"],
  ["eu-shop-nested", "eu/shop"],
];

function tenantsYaml(kvVersion: 1 | 2, stackPerTenant: boolean, entries: string[][] = TENANTS): string {
  return [
    `vault: { endpoint: "https://vault.vault.svc:8200", kvEngine: kv, kvVersion: ${kvVersion} }`,
    "isolation: prefix",
    `stackPerTenant: ${stackPerTenant}`,
    "tenants:",
    ...entries.map(
      ([name, prefix, extra]) => `  - { name: ${name}, prefix: "${prefix}"${extra ? `, ${extra}` : ""} }`,
    ),
    "",
  ].join("\n");
}

interface LoggedIn {
  readonly name: string;
  readonly spec: KeystoreSpec;
  readonly roleId: string;
  readonly secretId: string;
  readonly token: string;
}

async function loginAll(p: Pipeline, yaml: string): Promise<LoggedIn[]> {
  const outputs = JSON.parse(fs.readFileSync(p.outputsFile, "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  const secretIds = secretIdsByRole(p.stateDir);
  const out: LoggedIn[] = [];
  for (const [name, spec] of tenantSpecs(yaml)) {
    const roleId = outputs[name].role_id as string;
    const secretId = secretIds.get(spec.roleName) as string;
    expect(typeof roleId).toBe("string");
    expect(typeof secretId).toBe("string");
    out.push({ name, spec, roleId, secretId, token: await login(p.bao, spec, roleId, secretId) });
  }
  return out;
}

/** Each tenant on its own keystore: every request of a key's life allowed; then a key "keep" is left there. */
async function ownKeystores(bao: OpenBaoServer, tenants: LoggedIn[]): Promise<string[]> {
  const refused: string[] = [];
  for (const t of tenants) {
    for (const r of await runKeyServerRequests(bao, t.spec, t.token, "probe")) {
      const expected = r.label === "existence check" ? [404, 200] : [200, 204];
      if (!expected.includes(r.status)) refused.push(`${t.name}: ${r.label} ${r.status}`);
    }
    const [, create] = await runProbes(bao, t.token, keyServerProbes(t.spec, "keep").slice(0, 2));
    if (create.status >= 300) refused.push(`${t.name}: create keep ${create.status}`);
  }
  return refused;
}

/** Every ordered pair of tenants x read/write/list/delete of the other's keys: none may be allowed. */
async function crossTenantMatrix(
  bao: OpenBaoServer,
  tenants: LoggedIn[],
): Promise<{ allowed: string[]; tried: number }> {
  const allowed: string[] = [];
  let tried = 0;
  for (const a of tenants) {
    for (const b of tenants) {
      if (a === b) continue;
      for (const r of await runProbes(bao, a.token, otherTenantProbes(b.spec, "keep"))) {
        tried++;
        if (r.status < 400) allowed.push(`${a.name} -> ${b.name}: ${r.label} ${r.status}`);
      }
    }
  }
  return { allowed, tried };
}

/** Starts OpenBao and a pipeline folder with `yaml` as its tenants file before the tests, stops them after. */
function usePipeline(
  name: string,
  yaml: string,
  set: (c: { bao: OpenBaoServer; work: string; p: Pipeline }) => void,
): void {
  let bao: OpenBaoServer | undefined;
  let work: string | undefined;
  beforeAll(async () => {
    bao = await startOpenBao();
    work = fs.mkdtempSync(path.join(os.tmpdir(), name));
    const p = pipeline(bao, work);
    fs.writeFileSync(p.tenantsFile, yaml);
    set({ bao, work, p });
  });
  afterAll(async () => {
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
}

const stackLines = (out: string) =>
  Object.fromEntries(
    [
      ...out.matchAll(
        /^(.+?)\s{2,}(tenant-[a-z0-9-]+|tenants)\s{2,}(created|changed|unchanged|destroyed|failed|would create|would change|would destroy|no changes)\b/gm,
      ),
    ].map((m) => [m[2], m[3]]),
  );

describe("rollout pipeline, one stack per tenant (K/V v1)", () => {
  let bao: OpenBaoServer;
  let work: string;
  let p: Pipeline;
  let tenants: LoggedIn[];
  const yaml = tenantsYaml(1, true);

  usePipeline("kvk-pipeline-", yaml, (c) => ({ bao, work, p } = c));

  test("fails when a prefix lies inside another tenant's (t and t/x), before anything runs", async () => {
    const other = pipeline(bao, fs.mkdtempSync(path.join(work, "nested-")));
    fs.writeFileSync(
      other.tenantsFile,
      tenantsYaml(1, true, [
        ["t", "t"],
        ["tx", "t/x"],
      ]),
    );
    const r = await rollout(other, "diff");
    expect(r.code).toBe(1);
    expect(r.out).toContain('tenant "tx": prefix "t/x" clashes with tenant "t" ("t")');
  });

  test("GIVEN nothing deployed WHEN diffed THEN every tenant stack would be created and no plan file is written", async () => {
    const r = await rollout(p, "diff");
    expect(r.code).toBe(0);
    const lines = stackLines(r.out);
    expect(lines["tenant-shared"]).toBe("would create");
    for (const [name] of TENANTS) expect(lines[`tenant-${name}`]).toBe("would create");
    expect(filesContaining(p.outdir, ["PK\u0003\u0004"]).filter((f) => f.endsWith("/plan"))).toEqual([]);
  });

  test("GIVEN the diff WHEN deployed THEN every stack is created, with progress and an outputs file keyed by tenant", async () => {
    const r = await rollout(p, "deploy", "--parallelism", "3", "--outputs-file", p.outputsFile);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[rollout +\d+s\] tenant-t1: terraform apply/);
    const lines = stackLines(r.out);
    for (const [name] of TENANTS) expect(lines[`tenant-${name}`]).toBe("created");
    expect(r.out).toContain("7 stacks ok, 0 failed");
    const outputs = JSON.parse(fs.readFileSync(p.outputsFile, "utf8"));
    expect(outputs["eu-shop-nested"].vault_key_path).toBe("kv/eu/shop/");
    expect(outputs["eu-shop"].vault_key_path).toBe("kv/eu-shop/");
    expect(outputs.t.key_server_endpoints).toEqual(["https://keyserver.t.svc.cluster.local:7373"]);
  });

  test("GIVEN six tenants with near prefixes WHEN each uses its keystore THEN all is allowed on its own, and 0 requests on any other's", async () => {
    tenants = await loginAll(p, yaml);
    expect(new Set(tenants.map((t) => t.spec.policyName)).size).toBe(6);
    expect(await ownKeystores(bao, tenants)).toEqual([]);
    const { allowed, tried } = await crossTenantMatrix(bao, tenants);
    expect(tried).toBe(6 * 5 * 5);
    expect(allowed).toEqual([]);
  });

  test("GIVEN a deployed rollout WHEN diffed again THEN no stack changes; a change to one tenant shows in exactly its stack", async () => {
    const same = await rollout(p, "diff");
    expect(same.code).toBe(0);
    expect(new Set(Object.values(stackLines(same.out)))).toEqual(new Set(["no changes"]));
    const changed = TENANTS.map((e) =>
      e[0] === "t1" ? [...e, 'keyServer: { extraIpAddresses: ["127.0.0.1"] }'] : e,
    );
    fs.writeFileSync(p.tenantsFile, tenantsYaml(1, true, changed));
    try {
      const r = await rollout(p, "diff");
      expect(r.code).toBe(0);
      const lines = stackLines(r.out);
      expect(lines["tenant-t1"]).toBe("would change");
      expect(Object.entries(lines).filter(([, v]) => v !== "no changes")).toEqual([
        ["tenant-t1", "would change"],
      ]);
    } finally {
      fs.writeFileSync(p.tenantsFile, yaml);
    }
  });

  test("GIVEN a raw `cdktf diff` left a plan file with the state's secrets WHEN the rollout runs THEN it removes it, and nothing secret is under cdktf.out", async () => {
    const secrets = stateSecrets(p.stateDir);
    expect(secrets.length).toBeGreaterThan(6 * 3);
    const cdktf = spawn(
      path.join(REPO_ROOT, "node_modules", ".bin", "cdktf"),
      ["diff", "tenant-t", "--skip-provider-lock", "--output", p.outdir],
      {
        cwd: REPO_ROOT,
        env: testbedProcessEnv({
          ...bao.env,
          CI: "1",
          KVK_TENANTS_FILE: p.tenantsFile,
          KVK_STATE_DIR: p.stateDir,
          KVK_WITHOUT_KUBERNETES: "1",
          KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
          // cdktf's CLI reading the output of a synthesis in chunks (stacks/fleet-synthesis.ts).
          KVK_SYNTH_CHUNK: "2",
        }),
        stdio: "ignore",
      },
    );
    expect(await new Promise((resolve) => cdktf.once("close", resolve))).toBe(0);
    const plan = path.join(p.outdir, "stacks", "tenant-t", "plan");
    expect(fs.existsSync(plan)).toBe(true); // the hazard docs/kubernetes.md describes
    const r = await rollout(p, "diff");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`removed ${plan}`);
    expect(filesContaining(p.outdir, secrets)).toEqual([]);
  });

  test("GIVEN a tenant removed from the file WHEN deployed THEN the rollout refuses, naming it, and changes nothing", async () => {
    const before = fs.readFileSync(path.join(p.stateDir, "tenant-tt.tfstate"), "utf8");
    fs.writeFileSync(
      p.tenantsFile,
      tenantsYaml(
        1,
        true,
        TENANTS.filter(([n]) => n !== "tt"),
      ),
    );
    const r = await rollout(p, "deploy", "--outputs-file", p.outputsFile);
    expect(r.code).toBe(3);
    expect(r.out).toContain("1 tenant(s) are deployed but not in the tenants file; nothing was changed:");
    expect(r.out).toContain("  - tt (stack tenant-tt, state ");
    expect(r.out).toContain("offboard: { keys: delete }");
    expect(fs.readFileSync(path.join(p.stateDir, "tenant-tt.tfstate"), "utf8")).toBe(before);
    const tt = tenants.find((t) => t.name === "tt") as LoggedIn;
    expect((await loginStatus(bao, tt.spec, tt.roleId, tt.secretId)).status).toBe(200);
  });

  test("GIVEN the tenant marked offboard with keys deleted WHEN deployed THEN its keys, policy and credentials are gone and the others are untouched", async () => {
    const others = tenants.filter((t) => t.name !== "tt");
    const synthBefore = new Map(
      others.map((t) => [
        t.name,
        fs.readFileSync(path.join(p.outdir, "stacks", `tenant-${t.name}`, "cdk.tf.json"), "utf8"),
      ]),
    );
    fs.writeFileSync(
      p.tenantsFile,
      tenantsYaml(
        1,
        true,
        TENANTS.map((e) => (e[0] === "tt" ? [...e, "offboard: { keys: delete }"] : e)),
      ),
    );
    const r = await rollout(p, "deploy", "--outputs-file", p.outputsFile);
    expect(r.code).toBe(0);
    const lines = stackLines(r.out);
    expect(lines["tenant-tt"]).toBe("destroyed");
    expect(r.out).toContain("tt: 1 key(s) deleted under kv/tt/");
    for (const t of others) expect(lines[`tenant-${t.name}`]).toBe("unchanged");

    const tt = tenants.find((t) => t.name === "tt") as LoggedIn;
    expect((await bao.request("GET", "kv/tt/keep")).status).toBe(404);
    expect((await loginStatus(bao, tt.spec, tt.roleId, tt.secretId)).status).toBeGreaterThanOrEqual(400);
    expect((await bao.request("GET", `sys/policies/acl/${tt.spec.policyName}`)).status).toBe(404);
    // The token it had before is left with no policy: it reaches nothing.
    expect((await bao.request("GET", "kv/tt/keep", undefined, { token: tt.token })).status).toBe(403);
    expect(JSON.parse(fs.readFileSync(p.outputsFile, "utf8")).tt).toBeUndefined();

    for (const t of others) {
      expect(fs.readFileSync(path.join(p.outdir, "stacks", `tenant-${t.name}`, "cdk.tf.json"), "utf8")).toBe(
        synthBefore.get(t.name),
      );
      const token = await login(bao, t.spec, t.roleId, t.secretId);
      const [read] = await runProbes(bao, token, keyServerProbes(t.spec, "keep").slice(2, 3));
      expect(read.status).toBe(200);
    }
  });

  test("GIVEN an offboarded tenant WHEN its entry is then deleted from the file THEN the rollout succeeds", async () => {
    fs.writeFileSync(
      p.tenantsFile,
      tenantsYaml(
        1,
        true,
        TENANTS.filter(([n]) => n !== "tt"),
      ),
    );
    const r = await rollout(p, "deploy");
    expect(r.code).toBe(0);
    expect(r.out).toContain("6 stacks ok, 0 failed");
  });
});

describe("rollout pipeline, all tenants in one stack (K/V v2)", () => {
  let bao: OpenBaoServer;
  let p: Pipeline;
  const yaml = tenantsYaml(2, false);

  usePipeline("kvk-pipeline-one-", yaml, (c) => ({ bao, p } = c));

  test("GIVEN six tenants with near prefixes in one stack WHEN deployed THEN each is allowed on its own keystore and refused on every other's", async () => {
    const r = await rollout(p, "deploy", "--outputs-file", p.outputsFile);
    expect(r.code).toBe(0);
    expect(stackLines(r.out).tenants).toBe("created");
    const tenants = await loginAll(p, yaml);
    expect(await ownKeystores(bao, tenants)).toEqual([]);
    const { allowed, tried } = await crossTenantMatrix(bao, tenants);
    expect(tried).toBe(6 * 5 * 5);
    expect(allowed).toEqual([]);
    expect(filesContaining(p.outdir, stateSecrets(p.stateDir))).toEqual([]);
  });

  test("GIVEN a tenant dropped from the one stack's file WHEN deployed THEN the rollout refuses instead of destroying it silently", async () => {
    fs.writeFileSync(
      p.tenantsFile,
      tenantsYaml(
        2,
        false,
        TENANTS.filter(([n]) => n !== "eu-shop"),
      ),
    );
    const r = await rollout(p, "deploy");
    expect(r.code).toBe(3);
    expect(r.out).toContain("  - eu-shop (stack tenants, state ");
  });
});

describe("rollout pipeline, namespace isolation with one AppRole mount in the root namespace", () => {
  let bao: OpenBaoServer;
  let p: Pipeline;
  // The same prefix in two namespaces whose policies and roles all live in the root namespace: the names that
  // used to be equal ("kes-kv-keys") must differ, or the second tenant would take over the first's role.
  const yaml = [
    'vault: { endpoint: "https://vault.vault.svc:8200", kvEngine: kv, kvVersion: 2, authNamespace: "/" }',
    "isolation: namespace",
    "stackPerTenant: false",
    "tenants:",
    "  - { name: blue, prefix: keys }",
    "  - { name: green, prefix: keys }",
    "",
  ].join("\n");

  usePipeline("kvk-pipeline-ns-", yaml, (c) => ({ bao, p } = c));

  test("GIVEN one prefix in two namespaces and the login in root WHEN deployed THEN each tenant has its own policy and role and reaches only its keys", async () => {
    const r = await rollout(p, "deploy", "--outputs-file", p.outputsFile);
    expect(r.code).toBe(0);
    const mounts = await bao.request("GET", "sys/auth");
    expect(Object.keys(mounts.body.data ?? mounts.body)).toContain("approle/");
    const tenants = await loginAll(p, yaml);
    expect(tenants.map((t) => t.spec.roleName)).toEqual([
      expect.stringMatching(/^kes-blue-kv-keys\.[0-9a-f]{12}$/),
      expect.stringMatching(/^kes-green-kv-keys\.[0-9a-f]{12}$/),
    ]);
    expect(await ownKeystores(bao, tenants)).toEqual([]);
    const { allowed, tried } = await crossTenantMatrix(bao, tenants);
    expect(tried).toBe(2 * 1 * 5);
    expect(allowed).toEqual([]);
  });
});
