/**
 * Identity API handlers: describe, list, self-describe.
 * @see https://github.com/minio/kes/blob/master/server.go
 */
import { isValidName, isValidPattern, patternPrefix } from "../auth/names";
import { ErrIdentityNotFound, KesError } from "../errors";
import type { ApiContext, ApiReply } from "../server/context";
import { goTime } from "../server/json";
import { patternSet } from "./policy";

/**
 * GET /v1/identity/describe/<id>: `{"admin":true,"created_at"}` for the admin, `{"policy","created_at",
 * "created_by"}` for an identity with a policy; 400 invalid; 404 `identity does not exist`.
 */
export async function describeIdentity(ctx: ApiContext): Promise<ApiReply> {
  if (!isValidName(ctx.resource)) {
    throw new KesError(400, `identity '${ctx.resource}' is empty, too long or contains invalid characters`);
  }
  const { state } = ctx;
  if (ctx.resource === state.admin)
    return { status: 200, json: { admin: true, created_at: goTime(state.startTime) } };
  const policy = state.policies.identities.get(ctx.resource);
  if (policy === undefined) throw ErrIdentityNotFound;
  return { status: 200, json: { policy, created_at: goTime(state.startTime), created_by: state.admin } };
}

/** GET /v1/identity/list/<pattern>: `{"identities":[sorted, admin included]}`; 400 bad pattern. */
export async function listIdentities(ctx: ApiContext): Promise<ApiReply> {
  if (!isValidPattern(ctx.resource)) {
    throw new KesError(400, `listing pattern '${ctx.resource}' is empty, too long or is invalid`);
  }
  const prefix = patternPrefix(ctx.resource);
  const all = [ctx.state.admin, ...ctx.state.policies.identities.keys()];
  return { status: 200, json: { identities: all.filter((id) => id.startsWith(prefix)).sort() } };
}

/**
 * GET /v1/identity/self/describe: for the admin `{"identity","admin":true,"created_at"}`; otherwise the
 * shape kms-go's DescribeSelf decodes: `{"identity","policy":"<name>","allow","deny","created_at",
 * "created_by"}` (KES itself answers non-admins with 404, a bug). 404 for an identity with no policy.
 */
export async function selfDescribeIdentity(ctx: ApiContext): Promise<ApiReply> {
  const { state, identity } = ctx;
  if (identity !== "" && identity === state.admin) {
    return { status: 200, json: { identity, admin: true, created_at: goTime(state.startTime) } };
  }
  const name = state.policies.identities.get(identity);
  const policy = name === undefined ? undefined : state.policies.policies.get(name);
  if (name === undefined || policy === undefined) throw ErrIdentityNotFound;
  return {
    status: 200,
    json: {
      identity,
      policy: name,
      allow: patternSet(policy.allow),
      deny: patternSet(policy.deny),
      created_at: goTime(state.startTime),
      created_by: state.admin,
    },
  };
}
