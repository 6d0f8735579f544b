/**
 * JSON the way Go's encoding/json.Encoder writes it (what KES clients receive): HTML-sensitive characters
 * and U+2028/U+2029 escaped, one trailing newline.
 */

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

const HTML_SENSITIVE = /[<>&\u2028\u2029]/;
const HTML_SENSITIVE_ALL = /[<>&\u2028\u2029]/g;

/** JSON.stringify(value) with Go's escaping, without a newline. Never throws for JSON-safe values. */
export function goJson(value: unknown): string {
  const json = JSON.stringify(value);
  // These characters can only occur inside JSON strings, so a global replace is safe. Most replies (base64
  // values, names) have none: testing first spares building a new string.
  return HTML_SENSITIVE.test(json) ? json.replace(HTML_SENSITIVE_ALL, (c) => GO_ESCAPES[c]) : json;
}

/** A successful reply body: goJson(value) + "\n" (json.Encoder.Encode). Never throws for JSON-safe values. */
export function goJsonLine(value: unknown): Buffer {
  return Buffer.from(`${goJson(value)}\n`, "utf8");
}

/**
 * A KES error body, byte for byte as internal/api/error.go Fail writes it: `{"message":"<text>"\n}`
 * (the encoder's newline comes before the closing brace). Never throws.
 */
export function errorBody(message: string): Buffer {
  return Buffer.from(`{"message":${goJson(message)}\n}`, "utf8");
}

/**
 * Go's time.Time JSON form: RFC 3339 in UTC with the fraction's trailing zeros trimmed
 * (`2024-05-01T12:34:56.123Z`, `2024-05-01T12:34:56Z`); `nanos` (0-999999999) replaces the
 * sub-second part when the time is known to the nanosecond. Never throws for a valid Date.
 */
export function goTime(d: Date, nanos?: number): string {
  const ns = nanos ?? (d.getTime() - Math.floor(d.getTime() / 1000) * 1000) * 1_000_000;
  const seconds = new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().slice(0, 19);
  const fraction = ns > 0 ? `.${String(ns).padStart(9, "0").replace(/0+$/, "")}` : "";
  return `${seconds}${fraction}Z`;
}
