// The cdktf app as `cdktf synth` runs it (cdktf.json "app"): compiles stacks/main.ts and the kit's TypeScript it
// imports with esbuild into one CommonJS file, node_modules/.cache/kes-vault-kit/app.cjs (npm packages stay
// external, loaded from node_modules), then runs it in this process. Compiled JavaScript instead of ts-node:
// no TypeScript compiler to load and no source-map-support rewriting the stack trace cdktf captures for every
// token. A source map is written beside it: `node --enable-source-maps node_modules/.cache/kes-vault-kit/app.cjs`
// shows TypeScript positions when debugging.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// cdktf records where every token and nested-block reference was created: it captures a full-depth stack trace
// on a plain object ({ stack: "" }) and V8 formats it, about a fifth of a fleet's synthesis. cdktf has no switch
// for these (its `stackTraces: false`, set in stacks/app.ts, covers annotations only), so V8 is asked to format
// traces of plain objects as "" while Errors keep theirs. KVK_SYNTH_STACK_TRACES=1 keeps every trace (debugging).
if (process.env.KVK_SYNTH_STACK_TRACES !== "1") {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target, frames) => {
    if (!(target instanceof Error)) return "";
    if (previous) return previous(target, frames);
    return `${String(target)}${frames.map((f) => `\n    at ${f}`).join("")}`;
  };
  // Formatting aside, V8 still walks the whole stack for each of these captures (cdktf raises the limit to
  // Number.MAX_SAFE_INTEGER for them): a capture on a plain object under that limit, cdktf's and constructs'
  // creation-trace pattern, records nothing. Errors, and captures under the normal limit, are untouched.
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureStackTrace(target, below) {
    if (Error.stackTraceLimit === Number.MAX_SAFE_INTEGER && !(target instanceof Error)) {
      target.stack = "";
      return;
    }
    return capture.call(Error, target, below);
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "node_modules", ".cache", "kes-vault-kit");
const outfile = join(outDir, "app.cjs");

const result = await build({
  entryPoints: [join(root, "stacks", "main.ts")],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  write: false,
  logLevel: "warning",
});
mkdirSync(outDir, { recursive: true });
// Write-then-rename, so a synthesis running at the same time never loads a half-written file.
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
createRequire(import.meta.url)(outfile);
