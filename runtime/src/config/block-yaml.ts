/**
 * The YAML text `yaml`'s `stringify(value, { lineWidth: 0 })` produces, for the values a config file holds when
 * every scalar can be written plain: block maps and sequences, booleans, and strings that YAML reads back as
 * the same string without quotes. A fleet's synthesis renders one config per tenant; this takes about 40 µs
 * for a key server config, the library about 260 µs. For anything else (an empty map or list, a list in a list, a number, a string
 * that would need quotes) it returns `undefined` and the caller uses the library. Pure.
 */

/**
 * A string `yaml` writes plain, with no doubt: printable ASCII; a first character that is no YAML indicator,
 * digit, sign or dot; no space, `#`, quote or comma; not ending with `:`; not one of the words YAML 1.2's core
 * schema reads as null or a boolean; not too long for an implicit key. Some strings `yaml` writes plain fail
 * this test; they go to the library.
 */
const SAFE_PLAIN = /^[A-Za-z_/$][A-Za-z0-9_/$.*:;@%+=!&|<>?^~(){}[\]\\-]{0,1000}$/;
const NOT_A_STRING = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

function plain(s: string): boolean {
  return SAFE_PLAIN.test(s) && !s.endsWith(":") && !NOT_A_STRING.test(s);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The scalar's text, or undefined when it is not one this writer handles. */
function scalar(v: unknown): string | undefined {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string" && plain(v)) return v;
  return undefined;
}

/** Lines of a block map at `indent`, or undefined. */
function mapLines(m: Record<string, unknown>, indent: string, out: string[]): boolean {
  const keys = Object.keys(m);
  if (keys.length === 0) return false;
  for (const k of keys) {
    if (!plain(k)) return false;
    if (!entry(`${indent}${k}:`, m[k], indent, out)) return false;
  }
  return true;
}

/** `head` followed by value `v` (a scalar on the same line, a collection on the next lines). */
function entry(head: string, v: unknown, indent: string, out: string[]): boolean {
  const s = scalar(v);
  if (s !== undefined) {
    out.push(`${head} ${s}`);
    return true;
  }
  if (isMap(v)) {
    out.push(head);
    return mapLines(v, `${indent}  `, out);
  }
  if (Array.isArray(v)) {
    out.push(head);
    return seqLines(v, `${indent}  `, out);
  }
  return false;
}

/** Lines of a block sequence at `indent` (items of scalars or of non-empty maps), or undefined. */
function seqLines(items: readonly unknown[], indent: string, out: string[]): boolean {
  if (items.length === 0) return false;
  for (const item of items) {
    const s = scalar(item);
    if (s !== undefined) {
      out.push(`${indent}- ${s}`);
    } else if (isMap(item)) {
      // The map's first entry on the item's line, the others under it.
      const lines: string[] = [];
      if (!mapLines(item, `${indent}  `, lines)) return false;
      lines[0] = `${indent}- ${lines[0].slice(indent.length + 2)}`;
      out.push(...lines);
    } else {
      return false;
    }
  }
  return true;
}

/**
 * `value` (a non-empty map) as `yaml`'s `stringify(value, { lineWidth: 0 })` writes it, or `undefined` when it
 * holds something this writer leaves to the library.
 */
export function blockYaml(value: unknown): string | undefined {
  if (!isMap(value)) return undefined;
  const out: string[] = [];
  return mapLines(value, "", out) ? `${out.join("\n")}\n` : undefined;
}
