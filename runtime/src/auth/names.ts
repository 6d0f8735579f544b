/**
 * Name and pattern rules for keys, policies and identities, as KES' auth.go validName/validPattern.
 * @see https://github.com/minio/kes/blob/master/auth.go
 */

/** Longest accepted name or pattern, in bytes (all accepted characters are ASCII). */
export const MAX_NAME_LENGTH = 80;

function isNameChar(c: string, i: number, last: number): boolean {
  return (
    (c >= "0" && c <= "9") ||
    (c >= "A" && c <= "Z") ||
    (c >= "a" && c <= "z") ||
    c === "_" ||
    (c === "-" && i > 0 && i < last)
  );
}

/**
 * True when `s` is a valid key, policy or identity name: 1 to 80 characters of `[0-9A-Za-z_-]`, no leading
 * or trailing `-`, and not a lone `_`. Never throws.
 */
export function isValidName(s: string): boolean {
  if (s === "" || s === "_" || s.length > MAX_NAME_LENGTH) return false;
  const last = s.length - 1;
  for (let i = 0; i < s.length; i++) {
    if (!isNameChar(s[i], i, last)) return false;
  }
  return true;
}

/**
 * True when `s` is a valid listing pattern: a name (see isValidName) that may end in one `*`; the empty
 * string and a lone `*` are valid. Never throws.
 */
export function isValidPattern(s: string): boolean {
  if (s === "*") return true;
  if (s === "_" || s.length > MAX_NAME_LENGTH) return false;
  const last = s.length - 1;
  for (let i = 0; i < s.length; i++) {
    if (!(isNameChar(s[i], i, last) || (s[i] === "*" && i === last))) return false;
  }
  return true;
}

/**
 * The prefix a listing pattern selects: `""` for the empty pattern and `*`, otherwise the pattern without
 * one trailing `*` (KES' policy and identity listing). Never throws.
 */
export function patternPrefix(pattern: string): string {
  return pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
}
