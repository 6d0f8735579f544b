import { createHash } from "node:crypto";

/** What identifies a keystore's Vault names: its K/V engine and prefix, seen from the auth namespace. */
export interface KeystoreNameParts {
  /** Mount path of the K/V engine. */
  readonly kvEngine: string;
  /** Key prefix under the engine (case-sensitive, as Vault paths are). */
  readonly prefix: string;
  /**
   * Path of the keystore namespace relative to the namespace the policy and role live in, with a trailing "/"
   * ("" when they are the same namespace).
   */
  readonly namespaceFromAuth: string;
}

const PLAIN = /^[a-z0-9]+$/;
const HASH_HEX = 12;
const MAX_NAME = 128;

/**
 * The default name of a keystore's policy and auth role, injective in (namespace from the auth namespace,
 * engine, prefix):
 * - `kes-<engine>-<prefix>` when engine and prefix are plain (`[a-z0-9]+`) and the keystore lives in the auth
 *   namespace. Split at "-", such a name gives back its engine and prefix (exactly two dashes, no dot).
 * - otherwise `kes-<readable slug>.<hash>`: the slug lowercases and turns every other character into "-" (lossy:
 *   `eu/shop`, `eu-shop` and `EU-shop` share it), and the hash is the first 48 bits of the SHA-256 of the exact
 *   parts, so names differ whenever the parts differ. The "." keeps these names apart from the plain form.
 * Plain names are what earlier versions produced, so their deployments keep their names. Pure.
 */
export function defaultKeystoreName(parts: KeystoreNameParts): string {
  const ns = parts.namespaceFromAuth.replace(/\/$/, "");
  if (ns === "" && PLAIN.test(parts.kvEngine) && PLAIN.test(parts.prefix)) {
    return `kes-${parts.kvEngine}-${parts.prefix}`;
  }
  const hash = createHash("sha256")
    .update(JSON.stringify([ns, parts.kvEngine, parts.prefix]))
    .digest("hex")
    .slice(0, HASH_HEX);
  const slug = [ns, parts.kvEngine, parts.prefix]
    .filter((s) => s !== "")
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-"))
    .join("-")
    .slice(0, MAX_NAME - "kes-".length - 1 - HASH_HEX)
    .replace(/^-+|-+$/g, "");
  return `kes-${slug}.${hash}`;
}
