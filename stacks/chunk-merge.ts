/**
 * Merging what chunks of a tenants file synthesized (stacks/fleet-synthesis.ts): the `cdk.tf.json` of one stack
 * whose tenants were synthesized in parts, and cdktf's `manifest.json` of each part. Pure: JSON in, JSON out.
 */
import { isDeepStrictEqual } from "node:util";

/** A JSON object as cdktf writes it. */
export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Short text of a JSON value for an error message. */
function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function disagreement(path: string, a: unknown, b: unknown): Error {
  return new Error(
    `chunks of the tenants file disagree at ${path}: ${preview(a)} vs ${preview(b)}; this is a bug of the ` +
      `kit's chunked synthesis: synthesize in one piece with KVK_SYNTH_CHUNK=0 and report it`,
  );
}

/**
 * Merges `source`, the `cdk.tf.json` of one chunk of a stack's tenants, into `target`, the chunks merged so far:
 * objects key by key (each tenant's resources, outputs and `//` entries are under keys of their own), anything
 * else (an array, a string, a number) must be the same in both, as the stack's providers, backend and shared
 * mounts are in every chunk. A key only some chunks have (a provider only some tenants need) is kept. Mutates
 * `target` (taking `source`'s objects over) and returns it.
 * @throws Error naming the JSON path when the chunks hold different values at one path.
 */
export function mergeStackChunk(target: JsonObject, source: JsonObject, path = "$"): JsonObject {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (!Object.prototype.hasOwnProperty.call(target, key)) {
      target[key] = value;
      continue;
    }
    const there = target[key];
    const at = `${path}.${key}`;
    if (isObject(there) && isObject(value)) mergeStackChunk(there, value, at);
    else if (!isDeepStrictEqual(there, value)) throw disagreement(at, there, value);
  }
  return target;
}

/** One stack's entry of cdktf's manifest.json. */
export interface ManifestStack {
  readonly name: string;
  readonly annotations: readonly unknown[];
  readonly [field: string]: unknown;
}

/** cdktf's manifest.json. */
export interface CdktfManifest {
  readonly version: string;
  readonly stacks: Readonly<Record<string, ManifestStack>>;
}

/**
 * The manifest of the whole app from the manifests of its chunks: every stack once (a stack that several chunks
 * hold, e.g. tenant-shared or the one "tenants" stack, must have the same entry in each), its annotations in
 * chunk order without repeats (the stack's own come first in every chunk, then its tenants').
 * @throws Error when the chunks' cdktf versions or one stack's entries differ.
 */
export function mergeManifests(manifests: readonly CdktfManifest[]): CdktfManifest {
  if (manifests.length === 0) throw new Error("no chunk manifest to merge");
  const version = manifests[0].version;
  const stacks: Record<string, ManifestStack> = {};
  for (const m of manifests) {
    if (m.version !== version) throw disagreement("manifest.json $.version", version, m.version);
    for (const [name, entry] of Object.entries(m.stacks)) {
      const there = stacks[name];
      if (there === undefined) {
        stacks[name] = entry;
        continue;
      }
      const { annotations: a, ...restA } = there;
      const { annotations: b, ...restB } = entry;
      if (!isDeepStrictEqual(restA, restB))
        throw disagreement(`manifest.json $.stacks.${name}`, restA, restB);
      const seen = new Set(a.map((x) => JSON.stringify(x)));
      stacks[name] = { ...there, annotations: [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))] };
    }
  }
  return { version, stacks };
}
