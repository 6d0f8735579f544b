import { defaultRoutes } from "../../../../runtime/src/api/routes";
import { cleanPath, escapedPath, escapePath, parseTarget } from "../../../../runtime/src/server/path";
import { Router, ROUTER_CACHE_MAX_KEY, ROUTER_CACHE_SIZE } from "../../../../runtime/src/server/router";

const router = new Router(defaultRoutes());

describe("Router (Go ServeMux semantics)", () => {
  test("GIVEN a subtree route WHEN a key path is looked up THEN the rest of the path is the resource", () => {
    const m = router.match("/v1/key/create/my-key");
    expect(m).toMatchObject({ kind: "route", route: { path: "/v1/key/create/" }, resource: "my-key" });
  });

  test("GIVEN an exact route WHEN looked up THEN the resource is empty", () => {
    expect(router.match("/v1/status")).toMatchObject({
      kind: "route",
      route: { path: "/v1/status" },
      resource: "",
    });
  });

  test("GIVEN a subtree root without trailing slash WHEN looked up THEN it redirects to the slash form with the query", () => {
    expect(router.match("/v1/key/list", "?x=1")).toEqual({ kind: "redirect", location: "/v1/key/list/?x=1" });
  });

  test("GIVEN a path with dot segments WHEN looked up THEN it redirects to the clean path", () => {
    expect(router.match("/v1/key/create/../delete/k")).toEqual({
      kind: "redirect",
      location: "/v1/key/delete/k",
    });
  });

  test("GIVEN a path with a double slash WHEN looked up THEN it redirects to the clean path", () => {
    expect(router.match("/v1//status")).toEqual({ kind: "redirect", location: "/v1/status" });
  });

  test("GIVEN an encoded traversal WHEN looked up THEN it is routed, not redirected: the encoded slashes stay in the name", () => {
    expect(router.match("/v1/key/generate/my-x%2F..%2F..%2Fdelete%2Fother-c")).toMatchObject({
      kind: "route",
      route: { path: "/v1/key/generate/" },
      resource: "my-x/../../delete/other-c",
    });
  });

  test("GIVEN an encoded slash in a route segment WHEN looked up THEN it does not separate segments (not found)", () => {
    expect(router.match("/v1/key%2Fcreate/k")).toEqual({ kind: "notFound" });
  });

  test("GIVEN an encoded letter in a route segment WHEN looked up THEN the segment matches decoded", () => {
    expect(router.match("/v1/key/cre%61te/k")).toMatchObject({ kind: "route", resource: "k" });
  });

  test("GIVEN an encoded star WHEN listed THEN the resource is the decoded star", () => {
    expect(router.match("/v1/key/list/%2A")).toMatchObject({ kind: "route", resource: "*" });
  });

  test("GIVEN dot segments around escapes WHEN redirected THEN the location escapes the percent sign as Go's url.URL.String does", () => {
    expect(router.match("/v1/key/describe/x/../a%20b")).toEqual({
      kind: "redirect",
      location: "/v1/key/describe/a%2520b",
    });
  });

  test("GIVEN a raw space (HTTP/2) WHEN looked up THEN it is routed with the space in the resource", () => {
    expect(router.match("/v1/key/describe/a b")).toMatchObject({ kind: "route", resource: "a b" });
  });

  test("GIVEN an unknown path WHEN looked up THEN it is not found", () => {
    expect(router.match("/v1/key")).toEqual({ kind: "notFound" });
    expect(router.match("/v2/status")).toEqual({ kind: "notFound" });
  });

  test("GIVEN an exact route with extra text WHEN looked up THEN it is not found", () => {
    expect(router.match("/v1/status/x")).toEqual({ kind: "notFound" });
  });

  test("GIVEN the self-describe path WHEN looked up THEN the exact route wins over the identity subtree", () => {
    expect(router.match("/v1/identity/self/describe")).toMatchObject({
      kind: "route",
      route: { path: "/v1/identity/self/describe" },
    });
  });

  test("fails when two routes share a path", () => {
    const r = defaultRoutes();
    expect(() => new Router([...r, r[0]])).toThrow("route /version is defined twice");
  });
});

describe("parseTarget", () => {
  test("GIVEN a percent-encoded star WHEN parsed THEN the path is decoded and the query kept raw", () => {
    expect(parseTarget("/v1/key/list/%2A?a=%20")).toEqual({
      path: "/v1/key/list/*",
      rawPath: "/v1/key/list/%2A",
      query: "?a=%20",
    });
  });

  test("GIVEN an encoded slash WHEN parsed THEN it decodes into the path (and later fails name checks)", () => {
    expect(parseTarget("/v1/key/create/a%2Fb")?.path).toBe("/v1/key/create/a/b");
  });

  test("GIVEN an invalid escape WHEN parsed THEN there is no target (400)", () => {
    expect(parseTarget("/v1/key/create/%zz")).toBeUndefined();
    expect(parseTarget("/v1/key/create/%4")).toBeUndefined();
  });

  test("GIVEN an escaped byte that is not UTF-8 WHEN parsed THEN it decodes to U+FFFD as Go would report it", () => {
    expect(parseTarget("/v1/key/create/%ff")?.path).toBe("/v1/key/create/\ufffd");
  });

  test("GIVEN an escaped UTF-8 sequence WHEN parsed THEN it decodes to the character", () => {
    expect(parseTarget("/v1/key/create/%C3%BC")?.path).toBe("/v1/key/create/ü");
  });
});

describe("cleanPath", () => {
  test.each([
    ["", "/"],
    ["v1/status", "/v1/status"],
    ["/a/./b/", "/a/b/"],
    ["/a/b/..", "/a"],
    ["/../..", "/"],
    ["/a//b", "/a/b"],
  ])("GIVEN %j WHEN cleaned THEN it is %j", (input, out) => {
    expect(cleanPath(input)).toBe(out);
  });
});

describe("escapePath and escapedPath (Go's url.URL)", () => {
  test.each([
    ["/v1/key/list/", "/v1/key/list/"],
    ["/a b", "/a%20b"],
    ["/a%20b", "/a%2520b"],
    ["/*", "/%2A"],
    ["/é", "/%C3%A9"],
    ["/$&+,:;=@-_.~", "/$&+,:;=@-_.~"],
  ])("GIVEN %j THEN escapePath gives %j", (input, out) => {
    expect(escapePath(input)).toBe(out);
  });

  test("GIVEN a validly encoded raw path THEN it is the routing path unchanged", () => {
    expect(escapedPath("/v1/key/list/*", "/v1/key/list/*")).toBe("/v1/key/list/*");
    expect(escapedPath("/a%2Fb", "/a/b")).toBe("/a%2Fb");
  });

  test("GIVEN a raw space THEN the decoded path is escaped again", () => {
    expect(escapedPath("/a b", "/a b")).toBe("/a%20b");
  });
});

describe("Router lookups remembered per router", () => {
  const paths = [
    "/v1/key/generate/bench",
    "/v1/key/generate/a%2F..%2Fb",
    "/v1/key/describe/x/../a%20b",
    "/v1/key/create",
    "/v1/key/describe/a b",
    "/v1/identity/self/describe",
    "/nope",
    "//v1/status",
  ];

  test("GIVEN the same path twice WHEN looked up THEN the second answer equals a fresh router's", () => {
    const routes = defaultRoutes();
    const cached = new Router(routes);
    for (const p of paths) {
      const first = cached.match(p, "?x=1");
      const again = cached.match(p, "?x=1");
      expect(again).toBe(first);
      expect(again).toEqual(new Router(routes).match(p, "?x=1"));
    }
  });

  test("GIVEN one path with two queries WHEN redirected THEN each location carries its own query", () => {
    const r = new Router(defaultRoutes());
    expect(r.match("/v1/key/create", "?a")).toMatchObject({
      kind: "redirect",
      location: "/v1/key/create/?a",
    });
    expect(r.match("/v1/key/create", "?b")).toMatchObject({
      kind: "redirect",
      location: "/v1/key/create/?b",
    });
  });

  test("GIVEN more distinct paths than the cache holds WHEN looked up THEN every answer stays right", () => {
    const r = new Router(defaultRoutes());
    for (let i = 0; i < ROUTER_CACHE_SIZE * 2 + 3; i++) {
      expect(r.match(`/v1/key/generate/k${i}`)).toMatchObject({ kind: "route", resource: `k${i}` });
    }
    expect(r.match("/v1/key/generate/k0")).toMatchObject({ kind: "route", resource: "k0" });
  });

  test("GIVEN a path longer than the cache keys WHEN looked up twice THEN it is answered the same", () => {
    const r = new Router(defaultRoutes());
    const name = "n".repeat(ROUTER_CACHE_MAX_KEY);
    expect(r.match(`/v1/key/generate/${name}`)).toEqual(r.match(`/v1/key/generate/${name}`));
    expect(r.match(`/v1/key/generate/${name}`)).toMatchObject({ kind: "route", resource: name });
  });
});
