// Bundles the key server (runtime/src/main.ts) into one file, runtime/dist/keyserver.cjs, for a ConfigMap
// and an official node image: platform node, target node20, every dependency (yaml) inlined. Prints the size.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "runtime", "dist", "keyserver.cjs");
const MAX_BYTES = 1024 * 1024;

let commit = "";
try {
  commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
} catch {
  // not a git checkout: leave the commit empty
}
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

await build({
  entryPoints: [join(root, "runtime", "src", "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  define: { __KVK_VERSION__: JSON.stringify(version), __KVK_COMMIT__: JSON.stringify(commit) },
  logLevel: "warning",
});

chmodSync(outfile, 0o755); // runnable as ./keyserver.cjs thanks to the shebang banner
const size = statSync(outfile).size;
console.log(`runtime/dist/keyserver.cjs: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
if (size >= MAX_BYTES) {
  console.error(
    `bundle is ${size} bytes, over the 1 MiB limit (${MAX_BYTES}): the ConfigMap cannot carry it`,
  );
  process.exit(1);
}
