// The synthesized output of the 3-tenant example (examples/tenants.yaml), both layouts, byte for byte against
// the files in test/unit/stacks/golden/. A change of the output must be intended: regenerate with
// `KVK_UPDATE_GOLDEN=1 npx jest test/unit/stacks/synth-golden.test.ts` and say why in the commit.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthApp } from "../../../stacks/app";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

const EXAMPLE = path.resolve(__dirname, "..", "..", "..", "examples", "tenants.yaml");
const GOLDEN = path.join(__dirname, "golden");
const UPDATE = process.env.KVK_UPDATE_GOLDEN === "1";

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe("synthesized example (golden files)", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-golden-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each([
    ["stack-per-tenant", "true"],
    ["one-stack", "false"],
  ])(
    "GIVEN the 3-tenant example, %s WHEN synthesized THEN every output file equals its golden copy",
    (layout, perTenant) => {
      const outdir = path.join(work, layout);
      synthApp(
        {
          KVK_TENANTS_FILE: EXAMPLE,
          KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
          KVK_STACK_PER_TENANT: perTenant,
          // cdktf's default local backend path is absolute (the working directory): fix it for every clone.
          KVK_STATE_DIR: "/var/lib/kvk-golden",
        },
        { outdir },
      );
      const golden = path.join(GOLDEN, layout);
      if (UPDATE) {
        fs.rmSync(golden, { recursive: true, force: true });
        fs.cpSync(outdir, golden, { recursive: true });
      }
      const produced = files(outdir);
      expect(produced).toEqual(files(golden));
      expect(produced.length).toBeGreaterThan(0);
      for (const f of produced) {
        // toBe on strings so a failure shows the first differing part of the file.
        expect(`${f}:\n${fs.readFileSync(path.join(outdir, f), "utf8")}`).toBe(
          `${f}:\n${fs.readFileSync(path.join(golden, f), "utf8")}`,
        );
      }
    },
  );
});
