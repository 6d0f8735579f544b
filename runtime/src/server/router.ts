/**
 * Route lookup with the semantics of Go's http.ServeMux since Go 1.22 (the KES test bed binary is built
 * with the current toolchain): routing on the still-encoded path, segment by segment (an encoded `%2F`
 * never separates segments, so `/v1/key/generate/a%2F..%2Fb` reaches generate with the name `a/../b`);
 * patterns ending in `/` are subtree routes (longest wins), others exact; subtree roots without their
 * trailing slash and unclean paths are redirected with 307 (Temporary Redirect).
 * @see https://pkg.go.dev/net/http#ServeMux
 */
import { cleanPath, escapedPath, escapePath, percentDecode } from "./path";

/** The outcome of a lookup. */
export type RouteMatch<R> =
  | { readonly kind: "route"; readonly route: R; readonly resource: string }
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "notFound" };

interface Compiled<R> {
  readonly route: R;
  /** The literal segments (`/v1/key/create/` -> v1, key, create). */
  readonly segments: readonly string[];
  readonly subtree: boolean;
}

/**
 * Lookups remembered per router: a key server sees the same few paths (one per key and operation) over
 * and over, and a lookup decodes, cleans and splits the path. Past this many distinct paths the memory
 * is dropped and refilled, so a client sending ever new paths costs what it would without it.
 */
export const ROUTER_CACHE_SIZE = 1024;
/** Longer paths (with their query) are looked up each time, so the memory stays under 1024 x 512 characters. */
export const ROUTER_CACHE_MAX_KEY = 512;

/** Finds routes by request path. */
export class Router<R extends { readonly path: string }> {
  private readonly routes: Compiled<R>[];
  /** match() results by `rawPath` + "?" + `query`; results are immutable and depend on nothing else. */
  private readonly cache = new Map<string, RouteMatch<R>>();

  /**
   * @throws Error when two routes have the same path.
   */
  constructor(routes: readonly R[]) {
    const seen = new Set<string>();
    for (const r of routes) {
      if (seen.has(r.path)) throw new Error(`route ${r.path} is defined twice`);
      seen.add(r.path);
    }
    this.routes = routes
      .map((route) => {
        const subtree = route.path.endsWith("/");
        const trimmed = subtree ? route.path.slice(1, -1) : route.path.slice(1);
        return { route, subtree, segments: trimmed.split("/") };
      })
      // exact routes first, then subtrees from the longest (most specific) down
      .sort((a, b) => Number(a.subtree) - Number(b.subtree) || b.segments.length - a.segments.length);
  }

  /**
   * Looks up a raw (percent-encoded) request path; `query` is appended to redirect locations. The
   * resource is the decoded path after the route prefix (empty for exact routes), as KES cuts it from
   * r.URL.Path. Never throws.
   */
  match(rawPath: string, query = ""): RouteMatch<R> {
    if (rawPath.length + query.length >= ROUTER_CACHE_MAX_KEY) return this.matchUncached(rawPath, query);
    const key = `${rawPath}?${query}`;
    let m = this.cache.get(key);
    if (m === undefined) {
      m = Object.freeze(this.matchUncached(rawPath, query));
      if (this.cache.size >= ROUTER_CACHE_SIZE) this.cache.clear();
      this.cache.set(key, m);
    }
    return m;
  }

  private matchUncached(rawPath: string, query: string): RouteMatch<R> {
    const decoded = percentDecode(rawPath) ?? rawPath;
    const escaped = escapedPath(rawPath, decoded);
    const clean = cleanPath(escaped);
    const found = this.lookup(clean);
    if (!found?.exact && !clean.endsWith("/") && this.lookup(`${clean}/`)?.exact) {
      return { kind: "redirect", location: `${escapePath(cleanPath(decoded))}/${query}` };
    }
    if (clean !== escaped) return { kind: "redirect", location: escapePath(clean) + query };
    if (!found) return { kind: "notFound" };
    const prefix = found.route.path;
    const resource = found.exact || !decoded.startsWith(prefix) ? "" : decoded.slice(prefix.length);
    return { kind: "route", route: found.route, resource };
  }

  /** The route a clean encoded path matches, and whether it matches without a subtree remainder. */
  private lookup(path: string): { route: R; exact: boolean } | undefined {
    const parts = path
      .slice(1)
      .split("/")
      .map((p) => percentDecode(p) ?? p);
    for (const c of this.routes) {
      const n = c.segments.length;
      if (c.subtree ? parts.length <= n : parts.length !== n) continue;
      let ok = true;
      for (let i = 0; i < n && ok; i++) ok = parts[i] === c.segments[i];
      if (!ok) continue;
      const exact = !c.subtree || (parts.length === n + 1 && parts[n] === "");
      return { route: c.route, exact };
    }
    return undefined;
  }
}
