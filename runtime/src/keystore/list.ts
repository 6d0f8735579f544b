/**
 * Listing rule shared by the keystores: every name that starts with the prefix, sorted, in one page.
 * (KES pages by 1024 and the Go client then iterates by prefix, which does not page correctly; a complete
 * answer is compatible with the client.)
 */

/** Sorted names that start with `prefix` (empty prefix: all), without duplicates. Never throws. */
export function selectNames(names: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  for (const n of names) if (n.startsWith(prefix)) out.add(n);
  // Byte-wise order, as Go's slices.Sort on strings (not locale order).
  return [...out].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}
