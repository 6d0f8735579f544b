/**
 * Route lookup with Go http.ServeMux semantics: patterns ending in `/` are subtree routes (longest wins),
 * others are exact; unclean paths and subtree roots without their trailing slash are redirected (301).
 * @see https://pkg.go.dev/net/http#ServeMux
 */
import { cleanPath } from "./path";

/** The outcome of a lookup. */
export type RouteMatch<R> =
  | { readonly kind: "route"; readonly route: R; readonly resource: string }
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "notFound" };

/** Finds routes by request path. */
export class Router<R extends { readonly path: string }> {
  private readonly exact = new Map<string, R>();
  private readonly subtrees: R[];

  /**
   * @throws Error when two routes have the same path.
   */
  constructor(routes: readonly R[]) {
    const seen = new Set<string>();
    for (const r of routes) {
      if (seen.has(r.path)) throw new Error(`route ${r.path} is defined twice`);
      seen.add(r.path);
      if (!r.path.endsWith("/")) this.exact.set(r.path, r);
    }
    this.subtrees = routes.filter((r) => r.path.endsWith("/")).sort((a, b) => b.path.length - a.path.length);
  }

  /**
   * Looks up a decoded request path; `query` is appended to redirect locations. The resource is the path
   * after the route prefix (empty for exact routes). Never throws.
   */
  match(path: string, query = ""): RouteMatch<R> {
    const clean = cleanPath(path);
    if (clean !== path) return { kind: "redirect", location: clean + query };
    const exact = this.exact.get(path);
    if (exact) return { kind: "route", route: exact, resource: "" };
    if (!path.endsWith("/") && this.subtrees.some((r) => r.path === `${path}/`)) {
      return { kind: "redirect", location: `${path}/${query}` };
    }
    for (const r of this.subtrees) {
      if (path.startsWith(r.path)) return { kind: "route", route: r, resource: path.slice(r.path.length) };
    }
    return { kind: "notFound" };
  }
}
