/**
 * Request paths as Go's net/http sees them: the raw request target split from its query and
 * percent-decoded (r.URL.Path), and ServeMux's cleanPath.
 */
import { posix } from "node:path";

/** A decoded request target. */
export interface RequestTarget {
  /** Decoded path (`/v1/key/list/*` for `/v1/key/list/%2A`). */
  readonly path: string;
  /** The path as sent, still percent-encoded (what Go's ServeMux routes on since Go 1.22). */
  readonly rawPath: string;
  /** Raw query including the `?`, or "". */
  readonly query: string;
}

/**
 * Splits and percent-decodes a request target.
 * @returns undefined when the path holds a malformed percent escape (Go answers `400 Bad Request`).
 */
export function parseTarget(raw: string): RequestTarget | undefined {
  const q = raw.indexOf("?");
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? "" : raw.slice(q);
  if (!rawPath.includes("%")) return { path: rawPath, rawPath, query };
  const path = percentDecode(rawPath);
  return path === undefined ? undefined : { path, rawPath, query };
}

// Bytes Go's url.PathEscape-style path encoding (shouldEscape with encodePath) leaves alone.
const PATH_SAFE = /^[A-Za-z0-9\-_.~$&+,/:;=@]$/;
// Bytes url.URL.EscapedPath accepts in a raw path as already encoded (validEncoded).
const ENCODED_OK = /^[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]%]*$/;

/**
 * Escapes a decoded path as Go's url.URL.String does (the Location of ServeMux's redirects): every byte
 * but letters, digits, `-_.~$&+,/:;=@` as %XX, so a `%` becomes `%25`. Never throws.
 */
export function escapePath(decoded: string): string {
  let out = "";
  for (const b of Buffer.from(decoded, "utf8")) {
    const c = String.fromCharCode(b);
    out += PATH_SAFE.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The path Go's ServeMux routes on (url.URL.EscapedPath): the raw path when it is a valid encoding,
 * else the decoded path escaped again (a raw space becomes %20). Never throws.
 */
export function escapedPath(rawPath: string, decoded: string): string {
  return ENCODED_OK.test(rawPath) ? rawPath : escapePath(decoded);
}

/**
 * Percent-decodes byte-wise as Go's url.PathUnescape: any `%XX` is a byte, and the bytes are read as UTF-8
 * (invalid sequences become U+FFFD, which is what Go's JSON encoder would send back in an error message).
 * @returns undefined when a `%` is not followed by two hex digits.
 */
export function percentDecode(s: string): string | undefined {
  // Without a `%` the bytes are the string's own (request targets are Latin-1 strings: no lone surrogates).
  if (!s.includes("%")) return s;
  const src = Buffer.from(s, "utf8");
  const out = Buffer.alloc(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== 0x25) {
      out[n++] = src[i];
      continue;
    }
    const hex = src.subarray(i + 1, i + 3).toString("latin1");
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    out[n++] = parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n).toString("utf8");
}

/**
 * Go ServeMux's cleanPath: a leading `/`, no `.`/`..` elements or duplicate slashes, and a trailing slash kept
 * when the input had one. Never throws.
 */
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const withSlash = p.startsWith("/") ? p : `/${p}`;
  let np = posix.normalize(withSlash);
  if (np.length > 1 && np.endsWith("/") && !withSlash.endsWith("/")) np = np.slice(0, -1);
  if (withSlash.endsWith("/") && !np.endsWith("/")) np += "/";
  return np;
}
