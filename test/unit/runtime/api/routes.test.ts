import { configureRoutes, defaultRoutes, MAX_BODY } from "../../../../runtime/src/api/routes";

const byPath = (path: string, routes = defaultRoutes()) => routes.find((r) => r.path === path)!;

describe("defaultRoutes", () => {
  test("GIVEN the table WHEN listed THEN it has KES' 22 v1 routes", () => {
    expect(defaultRoutes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /version",
      "GET /v1/ready",
      "GET /v1/status",
      "GET /v1/metrics",
      "GET /v1/api",
      "PUT /v1/key/create/",
      "PUT /v1/key/import/",
      "GET /v1/key/describe/",
      "GET /v1/key/list/",
      "DELETE /v1/key/delete/",
      "PUT /v1/key/encrypt/",
      "PUT /v1/key/generate/",
      "PUT /v1/key/decrypt/",
      "PUT /v1/key/hmac/",
      "GET /v1/policy/describe/",
      "GET /v1/policy/read/",
      "GET /v1/policy/list/",
      "GET /v1/identity/describe/",
      "GET /v1/identity/list/",
      "GET /v1/identity/self/describe",
      "GET /v1/log/error",
      "GET /v1/log/audit",
    ]);
  });

  test("GIVEN the routes with bodies WHEN inspected THEN exactly import, encrypt, generate, decrypt and hmac allow 1 MB", () => {
    expect(
      defaultRoutes()
        .filter((r) => r.maxBody > 0)
        .map((r) => [r.path, r.maxBody]),
    ).toEqual(
      ["/v1/key/import/", "/v1/key/encrypt/", "/v1/key/generate/", "/v1/key/decrypt/", "/v1/key/hmac/"].map(
        (p) => [p, MAX_BODY],
      ),
    );
    expect(MAX_BODY).toBe(1_000_000);
  });

  test("GIVEN the timeouts WHEN inspected THEN /version and /v1/api have 10 s, log streams none, the rest 15 s", () => {
    const t = Object.fromEntries(defaultRoutes().map((r) => [r.path, r.timeoutMs]));
    expect(t["/version"]).toBe(10_000);
    expect(t["/v1/api"]).toBe(10_000);
    expect(t["/v1/log/audit"]).toBe(0);
    expect(t["/v1/log/error"]).toBe(0);
    expect(t["/v1/key/generate/"]).toBe(15_000);
  });

  test("GIVEN the auth modes WHEN inspected THEN /version needs none and self-describe only identifies", () => {
    expect(byPath("/version").auth).toBe("none");
    expect(byPath("/v1/identity/self/describe").auth).toBe("identify");
    expect(defaultRoutes().filter((r) => r.auth === "verify")).toHaveLength(20);
  });

  test("GIVEN the key operations WHEN inspected THEN create, import, delete, generate, encrypt, decrypt and hmac are audited", () => {
    expect(
      defaultRoutes()
        .filter((r) => r.audit)
        .map((r) => r.path),
    ).toEqual([
      "/v1/key/create/",
      "/v1/key/import/",
      "/v1/key/delete/",
      "/v1/key/encrypt/",
      "/v1/key/generate/",
      "/v1/key/decrypt/",
      "/v1/key/hmac/",
    ]);
  });
});

describe("configureRoutes", () => {
  test("GIVEN skip_auth on /v1/ready WHEN applied THEN that route only identifies", () => {
    const routes = configureRoutes(defaultRoutes(), { "/v1/ready": { skipAuth: true, timeoutMs: 0 } });
    expect(byPath("/v1/ready", routes).auth).toBe("identify");
    expect(byPath("/v1/ready", routes).timeoutMs).toBe(15_000);
  });

  test("GIVEN a timeout WHEN applied THEN it replaces the default", () => {
    expect(
      byPath(
        "/v1/status",
        configureRoutes(defaultRoutes(), { "/v1/status": { skipAuth: false, timeoutMs: 2000 } }),
      ).timeoutMs,
    ).toBe(2000);
  });

  test("GIVEN a key naming no route (no trailing slash) WHEN applied THEN it is ignored as in KES", () => {
    const routes = configureRoutes(defaultRoutes(), { "/v1/key/generate": { skipAuth: true, timeoutMs: 1 } });
    expect(byPath("/v1/key/generate/", routes).auth).toBe("verify");
  });
});
