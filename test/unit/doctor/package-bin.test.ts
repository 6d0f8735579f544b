// The doctor is a CLI of the package: its bin is compiled by the build from doctor/cli.ts and packed.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const build = JSON.parse(
  fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
);

test("GIVEN package.json WHEN its bin is read THEN kes-vault-kit is lib/doctor/cli.js, built from doctor/cli.ts, which starts with a node shebang", () => {
  expect(pkg.bin).toEqual({ "kes-vault-kit": "./lib/doctor/cli.js" });
  expect(build.include).toContain("doctor/cli.ts");
  expect(pkg.files).toContain("lib/");
  expect(
    fs.readFileSync(path.join(ROOT, "doctor", "cli.ts"), "utf8").startsWith("#!/usr/bin/env node\n"),
  ).toBe(true);
  expect(pkg.scripts.doctor).toMatch(/doctor\/cli\.ts doctor$/);
});
