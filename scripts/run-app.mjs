// The cdktf app as `cdktf synth` runs it (cdktf.json "app"): compiles stacks/main.ts and the kit's TypeScript it
// imports with esbuild into one CommonJS file, node_modules/.cache/kes-vault-kit/app.cjs (npm packages stay
// external, loaded from node_modules), then runs it in this process; the build is skipped while none of its
// inputs changed (KVK_APP_REBUILD=1 forces it). Compiled JavaScript instead of ts-node:
// no TypeScript compiler to load and no source-map-support rewriting the stack trace cdktf captures for every
// token (stacks/creation-traces.ts skips those). A source map is written beside it: `node --enable-source-maps node_modules/.cache/kes-vault-kit/app.cjs`
// shows TypeScript positions when debugging.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "node_modules", ".cache", "kes-vault-kit");
const outfile = join(outDir, "app.cjs");

const inputsFile = join(outDir, "app.inputs.json");

/** Size and modification time of `file`, or undefined when it is gone. */
function fingerprint(file) {
  const st = statSync(file, { throwIfNoEntry: false });
  return st === undefined ? undefined : `${st.size}:${st.mtimeMs}`;
}

/**
 * Whether app.cjs was compiled from the files as they are: the inputs of its last build (each of them, this
 * script and tsconfig.json, by size and modification time) are unchanged. A new file can only enter the app
 * through an import in a file that changed.
 */
function upToDate() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsFile, "utf8"));
  } catch {
    return false;
  }
  if (fingerprint(outfile) === undefined || !Array.isArray(recorded)) return false;
  return recorded.every(([file, print]) => fingerprint(join(root, file)) === print);
}

// Skipping an unchanged build saves esbuild's start and build (0.2 to 0.3 s of every synthesis).
if (process.env.KVK_APP_REBUILD === "1" || !upToDate()) {
  const { build } = await import("esbuild");
  // File times come from a coarse clock: a second's margin, at the cost of a rebuild after a fresh edit.
  const started = Date.now() - 1000;
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, "stacks", "main.ts")],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "linked",
    write: false,
    metafile: true,
    logLevel: "warning",
  });
  mkdirSync(outDir, { recursive: true });
  // Write-then-rename, so a synthesis running at the same time never loads a half-written file.
  const write = (path, contents) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  };
  for (const file of result.outputFiles) write(file.path, file.contents);
  const inputs = [
    ...Object.keys(result.metafile.inputs).map((f) => join(root, f)),
    fileURLToPath(import.meta.url),
    join(root, "tsconfig.json"),
  ];
  // An input changed while it was being compiled: no record, so the next synthesis builds again.
  const changedSince = (f) => (statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) >= started;
  if (!inputs.some(changedSince)) {
    // Paths relative to the checkout: node_modules copied to another checkout never runs this one's build.
    write(inputsFile, JSON.stringify(inputs.map((f) => [relative(root, f), fingerprint(f)])));
  }
}
createRequire(import.meta.url)(outfile);
