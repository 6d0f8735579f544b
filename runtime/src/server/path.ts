/**
 * Request paths as Go's net/http sees them: the raw request target split from its query and
 * percent-decoded (r.URL.Path), and ServeMux's cleanPath.
 */
import { posix } from "node:path";

/** A decoded request target. */
export interface RequestTarget {
  /** Decoded path (`/v1/key/list/*` for `/v1/key/list/%2A`). */
  readonly path: string;
  /** Raw query including the `?`, or "". */
  readonly query: string;
}

/**
 * Splits and percent-decodes a request target.
 * @returns undefined when the path holds an invalid percent escape (Go answers `400 Bad Request`).
 */
export function parseTarget(raw: string): RequestTarget | undefined {
  const q = raw.indexOf("?");
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? "" : raw.slice(q);
  if (!rawPath.includes("%")) return { path: rawPath, query };
  try {
    return { path: decodeURIComponent(rawPath), query };
  } catch {
    return undefined;
  }
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
