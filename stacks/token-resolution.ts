import { DefaultTokenResolver, StringConcat, Token, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/** The resolver cdktf's stacks resolve their JSON with (cdktf/lib/_tokens.js). */
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves `value`'s tokens in `scope` with cdktf's resolver, as `TerraformStack.toTerraform()` does. */
export function cdktfResolve(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: TOKEN_RESOLVER });
}

/**
 * A string cdktf's resolver may change: one with a token marker (`${TfToken[...]}`, and the list and map
 * markers `#{`, `&{`), one that may hold a number token written out (cdktf's NUMBER_TOKEN_REGEX
 * `[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)` matches exactly where this does), or one of the map token values it rejects.
 * Any other string resolves to itself.
 */
function mayHoldToken(s: string): boolean {
  return (
    s.includes("TfToken[") ||
    /[-|\d.+]e[-|\d.eE+]/.test(s) ||
    s === Token.STRING_MAP_TOKEN_VALUE ||
    s === Token.ANY_MAP_TOKEN_VALUE
  );
}

/** cdktf's resolver stops a recursion this deep (a cycle): deeper values are left to it. */
const MAX_DEPTH = 200;

/**
 * `value` with its tokens resolved in `scope`: the same result as cdktf's resolver (`Tokenization.resolve`,
 * which `TerraformStack.toTerraform()` applies to every element's JSON), with less work. cdktf's resolver
 * visits every key and value of the JSON, creating a resolution context for each, and returns plain values
 * unchanged (dropping `undefined` ones); the provider bindings hand it mostly plain values (half of them
 * `undefined`: every attribute of their schema). Here plain objects, arrays, strings without a token marker,
 * numbers, booleans and `null` are copied as cdktf would copy them, and every other value (a token, a string
 * or number that may encode one, an object that is not plain, a function) is handed to cdktf's resolver, in
 * the same order as cdktf visits them. The resolution context of such a value is the one cdktf would give it
 * (plain objects pass nothing down); only the path in cdktf's error messages and its depth limit against cycles
 * (200 levels) count from the value handed over.
 */
export function resolveTokens(scope: IConstruct, value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case "undefined":
    case "boolean":
      return value;
    case "string":
      return mayHoldToken(value) ? cdktfResolve(scope, value) : value;
    case "number":
      return Token.isUnresolved(value) || value === Token.NUMBER_MAP_TOKEN_VALUE
        ? cdktfResolve(scope, value)
        : value;
    case "object":
      break;
    default:
      return cdktfResolve(scope, value);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) return cdktfResolve(scope, value);
  if (Array.isArray(value)) {
    const items = value as unknown[];
    // cdktf resolves an array holding a list token (a string or number element) as a whole.
    if (items.some((x) => typeof x === "number" || (typeof x === "string" && x.includes("#{TfToken["))))
      return cdktfResolve(scope, items);
    const out: unknown[] = [];
    for (const x of items) {
      const r = resolveTokens(scope, x, depth + 1);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  const obj = value as Record<string, unknown>;
  const proto = Object.getPrototypeOf(obj) as unknown;
  // A token (Tokenization.isResolvable), or an object that is not plain: cdktf's.
  if ((proto !== Object.prototype && proto !== null) || typeof obj.resolve === "function")
    return cdktfResolve(scope, obj);
  const keys = Object.keys(obj);
  // A key may be a token (or a map token): cdktf resolves keys too.
  for (const key of keys) if (mayHoldToken(key)) return cdktfResolve(scope, obj);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const r = resolveTokens(scope, obj[key], depth + 1);
    if (r !== undefined) out[key] = r;
  }
  return out;
}
