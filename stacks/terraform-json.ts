import { Tokenization } from "cdktf";

/**
 * Merges `source` into `target` as cdktf merges the fragments of a stack's elements and its overrides
 * (`deepMerge` of cdktf/lib/util.js, which cdktf does not export): objects are merged key by key, a token
 * (resolvable) replaces what is there, an array is appended to an array there (or replaces a non-array), an
 * `undefined` value deletes the key, any other value replaces. Mutates and returns `target`.
 */
export function mergeTerraformJson(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) {
      delete target[key];
    } else if (Array.isArray(value)) {
      const there = target[key];
      target[key] = Array.isArray(there) ? [...(there as unknown[]), ...(value as unknown[])] : value;
    } else if (typeof value === "object" && value !== null) {
      if (typeof target[key] !== "object") target[key] = {};
      if (Tokenization.isResolvable(value)) target[key] = value;
      else mergeTerraformJson(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/**
 * Merges a resolved fragment (plain JSON values only, no `undefined`, shared with nothing) into `target` as
 * {@link mergeTerraformJson} does, with the same result, but takes the fragment's objects over where `target`
 * has nothing at their key instead of copying them (`mergeTerraformJson` copies every object it merges: the
 * whole JSON of a stack once more). Mutates `target` and the fragment's objects; returns `target`.
 */
export function mergeResolvedFragment(
  target: Record<string, unknown>,
  fragment: Record<string, unknown>,
): Record<string, unknown> {
  for (const key of Object.keys(fragment)) {
    const value = fragment[key];
    const there = target[key];
    if (there === undefined && !Object.prototype.hasOwnProperty.call(target, key)) {
      target[key] = value;
    } else if (
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof there === "object" &&
      there !== null &&
      !Tokenization.isResolvable(value)
    ) {
      mergeResolvedFragment(there as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      mergeTerraformJson(target, { [key]: value });
    }
  }
  return target;
}

/**
 * Sets `value` at the dotted `path` of `tree`, as `TerraformStack.addOverride` records a stack override
 * (cdktf keeps its own record private): every segment but the last becomes an object, replacing a
 * non-object there. Mutates `tree`.
 */
export function setOverride(tree: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = tree;
  for (const key of parts.slice(0, -1)) {
    const there = current[key];
    if (there === null || typeof there !== "object" || Array.isArray(there)) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]] = value;
}

/**
 * `{ a: { b: { c: leaf } } }` for the path segments `["a", "b", "c"]`: how cdktf lists a stack's outputs by
 * construct path in the `//` block of its JSON.
 */
export function nestedByPath(segments: readonly string[], leaf: string): Record<string, unknown> {
  return segments.reduceRight<Record<string, unknown>>(
    (inner, segment) => ({ [segment]: Object.keys(inner).length === 0 ? leaf : inner }),
    {},
  );
}
