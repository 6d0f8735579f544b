import { isUnresolvedToken } from "./unresolved";

/**
 * One segment of a Vault path as this library accepts it: letters, digits, `_`, `-` and `.`, starting with a
 * letter or digit. Stricter than Vault on purpose: `*` and `+` are policy globs, and quotes, spaces and `\`
 * would change the meaning of the rendered HCL.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Longest path accepted for a mount, prefix or namespace; keeps policy and config lines readable. */
export const MAX_PATH_LENGTH = 128;

/**
 * Checks a slash-separated Vault path (mount path, key prefix, namespace) and returns the problem, or
 * undefined when it is fine. Pure; the caller adds the field name and the fix to the message.
 * @returns a lowercase description such as `must not contain "." or ".." segments`.
 */
export function vaultPathProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_PATH_LENGTH)
    return `must be at most ${MAX_PATH_LENGTH} characters (it has ${value.length})`;
  if (value.startsWith("/") || value.endsWith("/")) return "must not start or end with '/'";
  const segments = value.split("/");
  if (segments.some((s) => s === "")) return "must not contain empty segments ('//')";
  if (segments.some((s) => s === "." || s === ".."))
    return 'must not contain "." or ".." segments (path traversal)';
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    return `has segment ${JSON.stringify(bad)}, but each segment must match [A-Za-z0-9][A-Za-z0-9_.-]* (no globs, quotes or spaces)`;
  }
  return undefined;
}

/** True when `value` is a cdktf token that is only known at apply time (checked without importing cdktf). */
export function isUnresolved(value: unknown): boolean {
  return isUnresolvedToken(value);
}

/** JSON-quotes a value for error messages: `"a/../b"`. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
