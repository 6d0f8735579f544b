import { App, Fn, TerraformStack, type IStackSynthesizer, type ISynthesisSession } from "cdktf";
import type { IConstruct } from "constructs";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RuntimeBundle } from "./runtime-source";

/** Folder, under the app's output directory (cdktf.out), that holds the key server bundles: `<sha256>/<file>`. */
export const RUNTIME_BUNDLE_DIR = "assets/KeyServerBundle";

/** Where cdktf puts a stack's working directory under the output directory (its Manifest: `stacks/<stack id>`). */
const STACK_DIR_DEPTH = 2;

/**
 * Path of `bundle`'s file under the app's output directory, e.g. `assets/KeyServerBundle/<sha256>/keyserver.cjs`.
 * Pure.
 */
export function runtimeBundleOutPath(bundle: RuntimeBundle): string {
  return path.posix.join(RUNTIME_BUNDLE_DIR, bundle.sha256, path.basename(bundle.path));
}

/** The bundles the stacks of each app ship, by sha256: what the output folder keeps. */
const bundlesOfApp = new WeakMap<App, Map<string, RuntimeBundle>>();
/** Stacks whose synthesizer writes the bundles already. */
const wrappedStacks = new WeakSet<TerraformStack>();

/**
 * Ships `bundle` once for the whole app, however many stacks and key servers run it: its file is written once to
 * `cdktf.out/assets/KeyServerBundle/<sha256>/<file name>` when the app (or `Testing.fullSynth`) synthesizes a stack
 * that uses it, and older versions there are removed. Returns the file's path relative to the stack's working
 * directory (`cdktf.out/stacks/<stack>`, where terraform runs): `../../assets/KeyServerBundle/<sha256>/<file>`.
 * A new bundle is a new path, so every stack's configuration changes with it. The stack directory is then not
 * self-contained: ship cdktf.out whole (a stack's terraform reads the bundle from two folders up).
 */
export function runtimeBundleFile(scope: IConstruct, bundle: RuntimeBundle): string {
  const stack = TerraformStack.of(scope);
  const app = App.of(stack);
  let bundles = bundlesOfApp.get(app);
  if (bundles === undefined) {
    bundles = new Map();
    bundlesOfApp.set(app, bundles);
  }
  bundles.set(bundle.sha256, bundle);
  if (!wrappedStacks.has(stack)) {
    wrappedStacks.add(stack);
    const inner = stack.synthesizer;
    const appBundles = bundles;
    const synthesizer: IStackSynthesizer = {
      synthesize(session: ISynthesisSession) {
        inner.synthesize(session);
        writeRuntimeBundles(session.outdir, [...appBundles.values()]);
      },
    };
    stack.synthesizer = synthesizer;
  }
  return `${"../".repeat(STACK_DIR_DEPTH)}${runtimeBundleOutPath(bundle)}`;
}

/** Byte lengths of bundles, counted once: every stack of a fleet checks the file after its synthesis. */
const byteLengths = new WeakMap<RuntimeBundle, number>();

function byteLengthOf(bundle: RuntimeBundle): number {
  let n = byteLengths.get(bundle);
  if (n === undefined) {
    n = Buffer.byteLength(bundle.content, "utf8");
    byteLengths.set(bundle, n);
  }
  return n;
}

/**
 * Writes each bundle to `<outdir>/assets/KeyServerBundle/<sha256>/<file>` unless a file of its size is there
 * already (write then rename: a reader never sees half a file), and removes the folders of other bundles.
 * @throws Error from the file system.
 */
export function writeRuntimeBundles(outdir: string, bundles: readonly RuntimeBundle[]): void {
  const dir = path.join(outdir, RUNTIME_BUNDLE_DIR);
  const keep = new Set(bundles.map((b) => b.sha256));
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!keep.has(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const bundle of bundles) {
    const target = path.join(outdir, runtimeBundleOutPath(bundle));
    const size = byteLengthOf(bundle);
    if (fs.statSync(target, { throwIfNoEntry: false })?.size === size) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bundle.content);
    fs.renameSync(tmp, target);
  }
}

/**
 * The Terraform expression of a file's text, read by Terraform from the stack's working directory and marked
 * sensitive, so `terraform plan`/`apply` print `(sensitive value)` instead of the whole bundle; a new bundle still
 * shows as a change of the pod template's checksum annotation, which rolls the pods.
 */
export function sensitiveFileText(stackRelativePath: string): string {
  return Fn.sensitive(Fn.file(stackRelativePath));
}
