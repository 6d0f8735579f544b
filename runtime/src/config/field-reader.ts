/**
 * The one reader of untyped input: the key server's config file (parse.ts), the tenants file and the
 * single-keystore stack's environment (stacks/) all read their YAML or JSON through it, so every error reads
 * alike: the field's full path, the bad value, and what to write instead.
 *
 * Two modes, because the inputs differ on purpose:
 * - strict (the kit's own files): a field's YAML/JSON type must be the one asked for;
 * - lenient (the key server's config, which must read KES' files as KES does): numbers and booleans are
 *   accepted where a string is asked for, `yes`/`on`/`off`... as booleans, and whole-value `${NAME}`
 *   references are resolved from the environment.
 * Pure: no files, no process state (the environment is passed in).
 */
import { parseDuration } from "./duration";
import { substituteEnv } from "./env";

type Obj = Record<string, unknown>;

/** How a {@link FieldReader} reads scalars. */
export interface FieldReaderOptions {
  /**
   * Resolve whole-value `${NAME}` references in strings from this environment (the KES config rule).
   * @default - no substitution
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Accept numbers and booleans where a string is asked for, and `yes`/`no`/`on`/`off` (any case) or an empty
   * string for booleans, as KES reads its YAML.
   * @default false - types must match exactly
   */
  readonly lenient?: boolean;
}

/** A value's problem, or undefined when it is fine (e.g. `certificateDnsNameProblem`). */
export type ValueProblem = (value: string) => string | undefined;

/** How {@link FieldReader.str} checks a string beyond its type. */
export interface StringCheck {
  /** The value must match this pattern. */
  readonly pattern?: RegExp;
  /** Said after the value when the pattern does not match, e.g. `must be a DNS label: e.g. "payments"`. */
  readonly hint?: string;
}

/** True for a mapping (a plain object), not a list or null. */
export function isMapping(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A value as an error message shows it. */
export const showValue = (v: unknown): string => JSON.stringify(v);

/**
 * Reads the fields of one mapping of an untyped document. Absent and `null` fields read as undefined.
 * Every method that returns a value @throws Error naming the field (`<prefix><key>`), showing the value and
 * saying what is accepted.
 */
export class FieldReader {
  /**
   * Reads a whole document that must be a mapping.
   * @param where how errors name the document when it is not a mapping (e.g. "tenants file")
   * @param prefix what every field name starts with (e.g. `tenant "payments": ` or `KVK_KEYSTORE.`)
   * @throws Error `<where> must be a mapping<expected>, got <value>`.
   */
  static of(
    doc: unknown,
    where: string,
    opts: FieldReaderOptions & { readonly prefix?: string; readonly expected?: string } = {},
  ): FieldReader {
    if (!isMapping(doc))
      throw new Error(`${where} must be a mapping${opts.expected ?? ""}, got ${showValue(doc)}`);
    return new FieldReader(opts.prefix ?? "", doc, opts);
  }

  private constructor(
    /** What the fields' names start with, e.g. "keystore.vault.". */
    public readonly prefix: string,
    private readonly obj: Obj,
    private readonly opts: FieldReaderOptions,
  ) {}

  /** The full name of a field, as errors show it. */
  field(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** The raw value of a field (undefined when absent). */
  raw(key: string): unknown {
    return this.obj[key];
  }

  /** True when the field is present and not null. */
  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  /** The mapping's keys, in document order. */
  keys(): string[] {
    return Object.keys(this.obj);
  }

  /** @throws Error when the mapping has a field not in `keys`, naming it and listing the known ones. */
  known(...keys: string[]): this {
    const unknown = Object.keys(this.obj).find((k) => !keys.includes(k));
    if (unknown !== undefined)
      throw new Error(`${this.field(unknown)} is not a known field: use one of ${keys.join(", ")}`);
    return this;
  }

  /** A nested mapping; an absent one reads as empty. @throws Error when the field is not a mapping. */
  child(key: string): FieldReader {
    return this.optionalChild(key) ?? new FieldReader(`${this.field(key)}.`, {}, this.opts);
  }

  /** A nested mapping, or undefined when absent. @throws Error when the field is not a mapping. */
  optionalChild(key: string): FieldReader | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isMapping(v)) throw new Error(`${this.field(key)} must be a mapping, got ${showValue(v)}`);
    return new FieldReader(`${this.field(key)}.`, v, this.opts);
  }

  /** The items of a list field (empty when absent). @throws Error when the field is not a list. */
  list(key: string, hint = ""): unknown[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new Error(`${this.field(key)} must be a list${hint}, got ${showValue(v)}`);
    return v;
  }

  /** Reads a list item that must be a mapping, named `<key>[i]`. @throws Error when it is not. */
  item(key: string, index: number, value: unknown, hint = ""): FieldReader {
    const name = `${this.field(key)}[${index}]`;
    if (!isMapping(value)) throw new Error(`${name} must be a mapping${hint}, got ${showValue(value)}`);
    return new FieldReader(`${name}.`, value, this.opts);
  }

  /**
   * A string field (environment references resolved when the reader has an environment).
   * @throws Error `<field> <value> <hint>` when the value is not a string or `check.pattern` does not match it
   *   (`<field> must be a string, got <value>` when there is no hint).
   */
  str(key: string, check: StringCheck = {}): string | undefined {
    return this.strValue(this.obj[key], this.field(key), check);
  }

  /** A string that must be present and not blank. @throws Error `<field> is required: <hint>`. */
  required(key: string, hint: string): string {
    const s = this.str(key);
    if (s === undefined || s.trim() === "") throw new Error(`${this.field(key)} is required: ${hint}`);
    return s;
  }

  /** A string that `problem` accepts. @throws Error `<field> <value> <problem>: use e.g. <example>`. */
  checked(key: string, problem: ValueProblem, example: string): string | undefined {
    const v = this.str(key);
    const p = v === undefined ? undefined : problem(v);
    if (p !== undefined) throw new Error(`${this.field(key)} ${showValue(v)} ${p}: use e.g. ${example}`);
    return v;
  }

  /** A whole number from `min` to `max`. @throws Error `<field> <value> must be a whole number from ...`. */
  int(key: string, min: number, max: number): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(`${this.field(key)} ${showValue(v)} must be a whole number from ${min} to ${max}`);
    }
    return v;
  }

  /** Any number. @throws Error `<field> must be a number, got <value>`. */
  num(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new Error(`${this.field(key)} must be a number, got ${showValue(v)}`);
    return v;
  }

  /** A boolean (lenient: also yes/no/on/off/"" in any case). @throws Error `<field> <value> must be true or false`. */
  bool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (this.opts.lenient) {
      const s = this.str(key) ?? "";
      const t = s.trim().toLowerCase();
      if (["true", "yes", "on"].includes(t)) return true;
      if (["false", "no", "off", ""].includes(t)) return false;
    }
    throw new Error(`${this.field(key)} ${showValue(v)} must be true or false`);
  }

  /**
   * A duration in Go syntax (`30s`, `5m`, `1h30m`), in milliseconds; empty reads as absent.
   * @throws Error when it is not a duration or is negative.
   */
  durationMs(key: string): number | undefined {
    const field = this.field(key);
    const s = this.str(key);
    if (s === undefined || s === "") return undefined;
    let ms: number;
    try {
      ms = parseDuration(s.trim());
    } catch {
      throw new Error(`${field} "${s}" is not a duration: use Go syntax such as 30s, 5m or 1h30m`);
    }
    if (ms < 0)
      throw new Error(`${field} "${s}" must not be negative: use 0 or a positive duration such as 30s`);
    return ms;
  }

  /**
   * A list of strings, each checked by `problem` when given (environment references in items resolved only
   * when `substitute`).
   * @throws Error `<field> must be a list of strings, got <value>`, or `<field>[i] <value> <problem>: use e.g.
   *   <example>`.
   */
  strings(
    key: string,
    opts: { readonly problem?: ValueProblem; readonly example?: string; readonly substitute?: boolean } = {},
  ): string[] | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    const field = this.field(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw new Error(`${field} must be a list of strings, got ${showValue(v)}`);
    return (v as string[]).map((x, i) => {
      const s = opts.substitute && this.opts.env ? substituteEnv(x, `${field}[${i}]`, this.opts.env) : x;
      const p = opts.problem?.(s);
      if (p !== undefined) throw new Error(`${field}[${i}] ${showValue(s)} ${p}: use e.g. ${opts.example}`);
      return s;
    });
  }

  /**
   * Reads a scalar that is not a field of this mapping (e.g. a list item), with this reader's rules.
   * @throws Error as {@link str}, naming `field`.
   */
  strValue(v: unknown, field: string, check: StringCheck = {}): string | undefined {
    if (v === undefined || v === null) return undefined;
    let s: string;
    if (typeof v === "string") s = v;
    else if (this.opts.lenient && (typeof v === "number" || typeof v === "boolean")) s = String(v);
    else if (check.hint !== undefined) throw new Error(`${field} ${showValue(v)} ${check.hint}`);
    else throw new Error(`${field} must be a string, got ${showValue(v)}`);
    if (this.opts.env !== undefined) s = substituteEnv(s, field, this.opts.env);
    if (check.pattern !== undefined && !check.pattern.test(s))
      throw new Error(`${field} ${showValue(s)} ${check.hint ?? `must match ${check.pattern}`}`);
    return s;
  }
}
