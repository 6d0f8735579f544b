/**
 * The route table (KES' state.go initRoutes): paths, methods, body limits, timeouts, auth and handlers.
 * @see https://github.com/minio/kes/blob/master/state.go
 */
import type { RouteConfig } from "../config/parse";
import type { Route } from "../server/context";
import * as identity from "./identity";
import * as key from "./key";
import * as log from "./log";
import * as policy from "./policy";
import * as system from "./system";

/** 1 MB as KES' aead.dev/mem counts it (decimal). */
export const MAX_BODY = 1_000_000;
const S = 1000;

const audited = (verb: string) => (name: string, code: number) =>
  code < 300 ? `secret key '${name}' ${verb}` : `secret key '${name}' not ${verb}: ${code}`;

/** The default routes, in KES' order. Never throws. */
export function defaultRoutes(): Route[] {
  return [
    { path: "/version", method: "GET", maxBody: 0, timeoutMs: 10 * S, auth: "none", handler: system.version },
    {
      path: "/v1/ready",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: system.ready,
    },
    {
      path: "/v1/status",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: system.status,
    },
    {
      path: "/v1/metrics",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: system.metrics,
    },
    {
      path: "/v1/api",
      method: "GET",
      maxBody: 0,
      timeoutMs: 10 * S,
      auth: "verify",
      handler: system.listApis,
    },
    {
      path: "/v1/key/create/",
      method: "PUT",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.createKey,
      audit: audited("created"),
    },
    {
      path: "/v1/key/import/",
      method: "PUT",
      maxBody: MAX_BODY,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.importKey,
      audit: audited("imported"),
    },
    {
      path: "/v1/key/describe/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.describeKey,
    },
    {
      path: "/v1/key/list/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.listKeys,
    },
    {
      path: "/v1/key/delete/",
      method: "DELETE",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.deleteKey,
      audit: audited("deleted"),
    },
    {
      path: "/v1/key/encrypt/",
      method: "PUT",
      maxBody: MAX_BODY,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.encryptKey,
      audit: audited("used to encrypt"),
    },
    {
      path: "/v1/key/generate/",
      method: "PUT",
      maxBody: MAX_BODY,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.generateKey,
      audit: audited("used to generate a data key"),
    },
    {
      path: "/v1/key/decrypt/",
      method: "PUT",
      maxBody: MAX_BODY,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.decryptKey,
      audit: audited("used to decrypt"),
    },
    {
      path: "/v1/key/hmac/",
      method: "PUT",
      maxBody: MAX_BODY,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: key.hmacKey,
      audit: audited("used to compute an HMAC"),
    },
    {
      path: "/v1/policy/describe/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: policy.describePolicy,
    },
    {
      path: "/v1/policy/read/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: policy.readPolicy,
    },
    {
      path: "/v1/policy/list/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: policy.listPolicies,
    },
    {
      path: "/v1/identity/describe/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: identity.describeIdentity,
    },
    {
      path: "/v1/identity/list/",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "verify",
      handler: identity.listIdentities,
    },
    {
      path: "/v1/identity/self/describe",
      method: "GET",
      maxBody: 0,
      timeoutMs: 15 * S,
      auth: "identify",
      handler: identity.selfDescribeIdentity,
    },
    { path: "/v1/log/error", method: "GET", maxBody: 0, timeoutMs: 0, auth: "verify", handler: log.errorLog },
    { path: "/v1/log/audit", method: "GET", maxBody: 0, timeoutMs: 0, auth: "verify", handler: log.auditLog },
  ];
}

/**
 * Applies the config's `api` section: `skip_auth` makes a route identify-only, a timeout > 0 replaces the
 * default. Keys that name no route are ignored, as in KES. Never throws.
 */
export function configureRoutes(
  routes: readonly Route[],
  config: Readonly<Record<string, RouteConfig>>,
): Route[] {
  return routes.map((r) => {
    const c = config[r.path];
    if (!c) return r;
    return {
      ...r,
      auth: c.skipAuth && r.auth !== "none" ? "identify" : r.auth,
      timeoutMs: c.timeoutMs > 0 ? c.timeoutMs : r.timeoutMs,
    };
  });
}
