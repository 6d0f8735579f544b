/**
 * Builds and runs the Go conformance program (test/go, the kms-go/kes v0.3.1 client MinIO pins).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../../scripts/testbed/env";
import { run } from "../../../../scripts/testbed/kes";

/** One line of the program's output. */
export interface GoCheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The module's directory. */
export const GO_MODULE_DIR = path.join(REPO_ROOT, "test", "go");

/** GOPROXY of the machine without the `direct`/`off` fallbacks: only the module proxy is reachable. */
export function proxyOnlyGoproxy(configured: string | undefined): string {
  const proxies = (configured ?? "")
    .split(/[,|]/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && s !== "direct" && s !== "off");
  return proxies.length > 0 ? proxies.join(",") : "https://proxy.golang.org";
}

/**
 * `go build` of a package of test/go (`.` = the conformance program, `./loadgen` = the benchmark's load
 * generator) into a temp dir, with GOFLAGS=-mod=mod and the default Go caches.
 * @throws Error with go's output when go is missing or the build fails.
 */
export async function buildGoProgram(pkg: "." | "./loadgen"): Promise<string> {
  const goproxy = proxyOnlyGoproxy((await run("go", ["env", "GOPROXY"])).stdout.trim());
  const out = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "kvk-go-")),
    path.basename(pkg === "." ? "kesconformance" : pkg),
  );
  const res = await run("go", ["-C", GO_MODULE_DIR, "build", "-o", out, pkg], {
    env: { ...process.env, GOPROXY: goproxy, GOFLAGS: "-mod=mod -buildvcs=false" },
    timeoutMs: 600_000,
  });
  if (res.code !== 0)
    throw new Error(
      `go build of ${pkg} in ${GO_MODULE_DIR} failed (exit ${res.code}):\n${res.stdout}${res.stderr}`,
    );
  return out;
}

/** The conformance program. */
export function buildGoConformance(): Promise<string> {
  return buildGoProgram(".");
}

/** Parses the program's JSON lines; any other line is an error. */
export function parseGoResults(stdout: string): Map<string, GoCheckResult> {
  const results = new Map<string, GoCheckResult>();
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as GoCheckResult;
    results.set(r.check, r);
  }
  return results;
}
