/**
 * Allow/deny policies on request paths, as kms-go's kes.Policy.Verify.
 * @see https://github.com/minio/kms-go/blob/main/kes/policy.go
 */

/** A named set of path patterns; an identity assigned to it may call the paths it allows. */
export interface Policy {
  /** Path patterns that are allowed, e.g. `/v1/key/generate/my-key*`. */
  readonly allow: readonly string[];
  /** Path patterns that are denied; a deny match wins over any allow match. */
  readonly deny: readonly string[];
}

/**
 * True when `pattern` matches `path`: an empty pattern never matches; a pattern ending in `*` matches every
 * path that starts with the text before the `*`; any other pattern (including one with a `*` elsewhere)
 * must equal the path exactly. Never throws.
 */
export function matchPattern(pattern: string, path: string): boolean {
  if (pattern === "") return false;
  if (pattern.endsWith("*")) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

/**
 * True when `policy` allows `path` (the decoded, normalised request path): no deny pattern matches and at
 * least one allow pattern does. An empty policy allows nothing. Never throws.
 */
export function isAllowed(policy: Policy, path: string): boolean {
  if (policy.deny.some((p) => matchPattern(p, path))) return false;
  return policy.allow.some((p) => matchPattern(p, path));
}
