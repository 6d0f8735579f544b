// What the published tarball holds: the package's own runtime code (constructs, the doctor CLI and shared/, the
// runtime config modules lib/constructs renders with, the key server bundle), never the repository's stacks or
// scripts. The file list is npm's own (`npm pack --dry-run --json`), read from the lib/ of `npm run build`.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Every repository file reachable from `entry` through relative imports (type-only ones included). */
function sourceFiles(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const ref of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
      if (ref.fileName.startsWith(".")) visit(path.resolve(path.dirname(file), `${ref.fileName}.ts`));
    }
  };
  visit(path.join(ROOT, entry));
  return [...seen].map((f) => path.relative(ROOT, f)).sort();
}

/** The paths `npm pack` would put in the tarball (scripts not run: lib/ is the one `npm run build` left). */
function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "silent" },
  });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
}

describe("the tarball's files", () => {
  test("GIVEN the bin and the entry points WHEN their imports are walked THEN none reaches stacks/, scripts/ or test/", () => {
    const entries = [pkg.bin["kes-vault-kit"], pkg.exports["."].default, pkg.exports["./spec"].default];
    for (const target of entries) {
      const files = sourceFiles(target.replace(/^\.\/lib\//, "").replace(/\.js$/, ".ts"));
      expect(files.length).toBeGreaterThan(5);
      expect(files.filter((f) => /^(stacks|scripts|test)\//.test(f))).toEqual([]);
    }
    // The doctor reaches the shared pieces it needs through shared/, nothing else outside its own folder.
    const doctor = sourceFiles("doctor/cli.ts");
    expect(doctor).toEqual(expect.arrayContaining(["shared/tenants-file.ts", "shared/tenant-keystore.ts"]));
    expect([...new Set(doctor.map((f) => f.split("/")[0]))].sort()).toEqual([
      "constructs",
      "doctor",
      "runtime",
      "shared",
    ]);
  });

  test("GIVEN the built package WHEN npm pack lists it THEN it holds lib/constructs, lib/doctor, lib/shared and the bundle, and no stacks/ or scripts/ entry", () => {
    if (!fs.existsSync(path.join(ROOT, "lib", "doctor", "cli.js"))) {
      throw new Error("lib/doctor/cli.js is missing: run npm run build first (npm test does)");
    }
    const files = packedFiles();
    expect(files.filter((f) => /(^|\/)(stacks|scripts)\//.test(f))).toEqual([]);
    for (const f of [
      "package.json",
      "lib/constructs/index.js",
      "lib/constructs/spec.d.ts",
      "lib/constructs/testing.js",
      "lib/doctor/cli.js",
      "lib/shared/tenants-file.js",
      "lib/shared/tenant-keystore.js",
      "runtime/dist/keyserver.cjs",
    ]) {
      expect(files).toContain(f);
    }
    // Outside lib/constructs, lib/doctor and lib/shared only the key server's config modules the constructs render
    // the config with (runtime/src/config), and nothing of the key server's own sources beside them.
    const others = files.filter((f) => f.startsWith("lib/") && !/^lib\/(constructs|doctor|shared)\//.test(f));
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((f) => !f.startsWith("lib/runtime/src/config/"))).toEqual([]);
  });
});
