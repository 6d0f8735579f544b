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

/** A policy's patterns sorted for matching: exact paths in a set, `*` patterns as their prefixes. */
interface CompiledPatterns {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

interface CompiledPolicy {
  readonly allow: CompiledPatterns;
  readonly deny: CompiledPatterns;
}

function compilePatterns(patterns: readonly string[]): CompiledPatterns {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p === "") continue;
    if (p.endsWith("*")) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return { exact, prefixes };
}

function matchesAny(c: CompiledPatterns, path: string): boolean {
  if (c.exact.has(path)) return true;
  for (const prefix of c.prefixes) if (path.startsWith(prefix)) return true;
  return false;
}

/** Compiled patterns per policy object (policies are immutable once built; a reload builds new ones). */
const compiled = new WeakMap<Policy, CompiledPolicy>();

/**
 * True when `policy` allows `path` (the decoded, normalised request path): no deny pattern matches and at
 * least one allow pattern does. An empty policy allows nothing. The policy's patterns are compiled on
 * first use (a set of exact paths, a list of prefixes) and kept with the policy object; the outcome is
 * matchPattern's. Never throws.
 */
export function isAllowed(policy: Policy, path: string): boolean {
  let c = compiled.get(policy);
  if (c === undefined) {
    c = { allow: compilePatterns(policy.allow), deny: compilePatterns(policy.deny) };
    compiled.set(policy, c);
  }
  return !matchesAny(c.deny, path) && matchesAny(c.allow, path);
}
