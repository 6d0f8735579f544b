/**
 * Policy API handlers: describe, read, list (policies come from the config; they are read-only).
 * @see https://github.com/minio/kes/blob/master/server.go
 */
import { isValidName, isValidPattern, patternPrefix } from "../auth/names";
import type { Policy } from "../auth/policy";
import { ErrPolicyNotFound, KesError } from "../errors";
import type { ApiContext, ApiReply } from "../server/context";
import { goTime } from "../server/json";

function policyOf(ctx: ApiContext): Policy {
  if (!isValidName(ctx.resource)) {
    throw new KesError(
      400,
      `policy name '${ctx.resource}' is empty, too long or contains invalid characters`,
    );
  }
  const policy = ctx.state.policies.policies.get(ctx.resource);
  if (!policy) throw ErrPolicyNotFound;
  return policy;
}

/** Patterns as KES sends them: an object whose values are empty objects. */
export function patternSet(patterns: readonly string[]): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const p of patterns) out[p] = {};
  return out;
}

/** GET /v1/policy/describe/<name>: `{"name","created_at","created_by"}`; 400; 404 `policy does not exist`. */
export async function describePolicy(ctx: ApiContext): Promise<ApiReply> {
  policyOf(ctx);
  return {
    status: 200,
    json: { name: ctx.resource, created_at: goTime(ctx.state.startTime), created_by: ctx.state.admin },
  };
}

/** GET /v1/policy/read/<name>: `{"name","allow"?,"deny"?,"created_at","created_by"}`; 400; 404. */
export async function readPolicy(ctx: ApiContext): Promise<ApiReply> {
  const policy = policyOf(ctx);
  return {
    status: 200,
    json: {
      name: ctx.resource,
      ...(policy.allow.length > 0 ? { allow: patternSet(policy.allow) } : {}),
      ...(policy.deny.length > 0 ? { deny: patternSet(policy.deny) } : {}),
      created_at: goTime(ctx.state.startTime),
      created_by: ctx.state.admin,
    },
  };
}

/** GET /v1/policy/list/<pattern>: `{"names":[sorted]}`; 400 `listing pattern ... is invalid`. */
export async function listPolicies(ctx: ApiContext): Promise<ApiReply> {
  if (!isValidPattern(ctx.resource)) {
    throw new KesError(400, `listing pattern '${ctx.resource}' is empty, too long or is invalid`);
  }
  const prefix = patternPrefix(ctx.resource);
  const names = [...ctx.state.policies.policies.keys()].filter((n) => n.startsWith(prefix)).sort();
  return { status: 200, json: { names } };
}
