/**
 * Request bodies decoded the way KES' Go structs decode them: a JSON object (or null), unknown fields
 * ignored, field names matched case-insensitively, `[]byte` fields as padded standard base64.
 */
import { decodeStdBase64 } from "../crypto/base64";
import { KesError } from "../errors";
import type { ApiContext } from "../server/context";

type Fields = Readonly<Record<string, unknown>>;

/**
 * The text of the first JSON value in `text`, as Go's json.Decoder.Decode reads it: whatever follows a
 * complete value is never looked at (KES accepts `{"a":1}garbage` and even `nullx`). The value itself is
 * validated by the caller.
 * @throws Error when no value is complete (empty or whitespace-only text, an unclosed object).
 */
export function firstJsonValue(text: string): string {
  let i = 0;
  while (i < text.length && " \t\r\n".includes(text[i])) i++;
  const start = i;
  if (start === text.length) throw new Error("request body is empty");
  const open = text[start];
  if (open !== "{" && open !== "[" && open !== '"') {
    const rest = text.slice(start);
    const literal = /^(?:null|true|false|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(rest);
    return literal ? literal[0] : rest;
  }
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return text.slice(start, i + 1);
      }
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error("request body ends inside a JSON value");
}

/**
 * Parses a JSON request body into its fields (the first JSON value; trailing data is ignored as KES does).
 * @throws Error when the text is not JSON, or is JSON other than an object or null.
 */
export function parseJsonObject(body: Buffer): Fields {
  const text = body.toString("utf8");
  let v: unknown;
  try {
    // A body that is one JSON value and nothing else (what clients send) is its own first value.
    v = JSON.parse(text);
  } catch {
    v = JSON.parse(firstJsonValue(text));
  }
  if (v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new Error("request body must be a JSON object");
  return v as Fields;
}

function lookup(fields: Fields, name: string): unknown {
  if (name in fields) return fields[name];
  const lower = name.toLowerCase();
  const key = Object.keys(fields).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : fields[key];
}

/**
 * A `[]byte` field: undefined when absent or null.
 * @throws Error when it is not a string of padded standard base64.
 */
export function bytesField(fields: Fields, name: string): Buffer | undefined {
  const v = lookup(fields, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`field ${name} must be a base64 string`);
  return decodeStdBase64(v);
}

/**
 * A string field: "" when absent or null.
 * @throws Error when it is not a string.
 */
export function stringField(fields: Fields, name: string): string {
  const v = lookup(fields, name);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new Error(`field ${name} must be a string`);
  return v;
}

/**
 * Reads and decodes the body with `decode`, mapping every failure (too large, not JSON, wrong types,
 * bad base64) to 400 `message`, as KES does.
 * @throws KesError(400, message) on any failure.
 */
export async function decodeBody<T>(
  ctx: ApiContext,
  message: string,
  decode: (fields: Fields) => T,
): Promise<T> {
  let body: Buffer;
  try {
    body = await ctx.readBody();
  } catch {
    throw new KesError(400, message);
  }
  return decodeJson(body, message, decode);
}

/**
 * Decodes an already read body with `decode`.
 * @throws KesError(400, message) when it is not a JSON object or a field has the wrong type or encoding.
 */
export function decodeJson<T>(body: Buffer, message: string, decode: (fields: Fields) => T): T {
  try {
    return decode(parseJsonObject(body));
  } catch {
    throw new KesError(400, message);
  }
}
