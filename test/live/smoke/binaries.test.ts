import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTestbedEnv, testbedBinary } from "../../../scripts/testbed/env";
import { VECTOR_API_KEY } from "../../vectors";

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
}

describe("test-bed binaries", () => {
  test("GIVEN the test bed WHEN kes --version runs THEN it reports a Go runtime", () => {
    expect(run(testbedBinary("kes"), ["--version"])).toMatch(/Runtime\s+go1\.\d+/);
  });

  test("GIVEN the test bed WHEN kes identity of runs on an API key THEN it prints the identity KES derives", () => {
    // The vector of KES-PROTOCOL.md §3.3 (seed 00..1f), computed independently of KES: proves this binary is a real KES.
    const out = run(testbedBinary("kes"), ["identity", "of", VECTOR_API_KEY]);
    expect(out.trim()).toContain("a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5");
  });

  test("GIVEN the test bed WHEN minio --version runs THEN it reports a MinIO build", () => {
    expect(run(testbedBinary("minio"), ["--version"])).toMatch(/minio version/i);
  });

  test("GIVEN the test bed WHEN terraform version runs THEN it reports the recorded version", () => {
    const env = loadTestbedEnv();
    const out = run(testbedBinary("terraform"), ["version", "-json"]);
    expect(JSON.parse(out).terraform_version).toBe(env.vars.KVK_TERRAFORM_VERSION);
  });

  test.each(["vault", "kubernetes", "tls", "random", "time"])(
    "GIVEN the filesystem mirror WHEN provider %s is looked up THEN its binary is there at the recorded version",
    (type) => {
      const env = loadTestbedEnv();
      const version = env.providerVersions[type];
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      const bin = path.join(
        env.dir,
        "terraform-mirror",
        "registry.terraform.io",
        "hashicorp",
        type,
        version,
        "linux_amd64",
        `terraform-provider-${type}_v${version}`,
      );
      expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    },
  );
});
