/**
 * Moving what chunks of a tenants file synthesized (stacks/fleet-synthesis.ts), each into a folder of its own, into
 * the app's output folder: the files cdktf would have written, over those of an earlier synthesis, and nothing
 * else touched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mergeManifests, type CdktfManifest, type JsonObject } from "./chunk-merge";
import { TENANTS_STACK_ID } from "./tenants-stacks";

/** A JSON file a chunk's synthesis wrote. */
export const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;

/**
 * Moves the files under `from` to the same places under `to`, over files there, as cdktf writes its files over
 * an earlier synthesis: anything else in `to` stays (a stack's `.terraform`, its plans, local state files).
 */
function moveInto(from: string, to: string): void {
  if (!fs.statSync(from).isDirectory()) {
    if (fs.statSync(to, { throwIfNoEntry: false })?.isDirectory()) fs.rmSync(to, { recursive: true });
    fs.renameSync(from, to);
    return;
  }
  if (fs.statSync(to, { throwIfNoEntry: false })?.isDirectory() === false) fs.rmSync(to);
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) moveInto(path.join(from, entry), path.join(to, entry));
}

/**
 * Moves the chunks' output into `outdir`: each stack's directory once (a stack several chunks hold must have the
 * same files in each), with `oneStackJson` written as the one stack's `cdk.tf.json` when given; the assets of
 * every chunk; the merged manifest last, so that a reader of manifest.json finds every stack it names.
 * @throws Error when the chunks disagree on a shared stack's files.
 */
export async function moveChunksIntoPlace(
  outdir: string,
  chunkDirs: readonly string[],
  oneStackJson?: JsonObject,
): Promise<void> {
  // cdktf's JSON writer, loaded only here: with its dependencies it is some 30 modules to load.
  const { default: stringify } = await import("json-stable-stringify");
  const stacksDir = path.join(outdir, "stacks");
  fs.mkdirSync(stacksDir, { recursive: true });
  const placed = new Set<string>();
  const manifests: CdktfManifest[] = [];
  for (const dir of chunkDirs) {
    manifests.push(readJson<CdktfManifest>(path.join(dir, "manifest.json")));
    for (const stack of fs.readdirSync(path.join(dir, "stacks"))) {
      const from = path.join(dir, "stacks", stack);
      if (!placed.has(stack)) {
        placed.add(stack);
        moveInto(from, path.join(stacksDir, stack));
        continue;
      }
      if (oneStackJson !== undefined) continue;
      // A stack of every chunk (tenant-shared): the same synthesis each time.
      for (const f of fs.readdirSync(from)) {
        if (!fs.readFileSync(path.join(from, f)).equals(fs.readFileSync(path.join(stacksDir, stack, f)))) {
          throw new Error(
            `chunks of the tenants file disagree on stacks/${stack}/${f}; this is a bug of the kit's chunked synthesis: synthesize in one piece with KVK_SYNTH_CHUNK=0 and report it`,
          );
        }
      }
    }
  }
  if (oneStackJson !== undefined) {
    fs.writeFileSync(
      path.join(stacksDir, TENANTS_STACK_ID, "cdk.tf.json"),
      stringify(oneStackJson, { space: 2 }) as string,
    );
  }
  // The assets of every chunk (a chunk of offboarded tenants alone ships none), each asset folder holding what the
  // app ships now, as cdktf.out/assets/KeyServerBundle does after every synthesis of the whole app
  // (constructs/kubernetes/runtime-bundle-asset.ts removes the bundles no stack uses any more).
  const assets = path.join(path.dirname(chunkDirs[0]), "assets");
  for (const dir of chunkDirs) {
    if (fs.existsSync(path.join(dir, "assets"))) moveInto(path.join(dir, "assets"), assets);
  }
  for (const a of fs.existsSync(assets) ? fs.readdirSync(assets) : []) {
    const to = path.join(outdir, "assets", a);
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(path.join(assets, a), to);
  }
  fs.writeFileSync(
    path.join(outdir, "manifest.json"),
    stringify(mergeManifests(manifests), { space: 2 }) as string,
  );
}
