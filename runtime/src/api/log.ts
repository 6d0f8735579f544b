/**
 * Log stream handlers: GET /v1/log/error and /v1/log/audit answer 200 with `application/x-ndjson`,
 * send the headers at once, then push one JSON object per line as events happen until the client leaves.
 */
import type { Multicast } from "../log/multicast";
import type { ApiContext, ApiReply } from "../server/context";

function stream(ctx: ApiContext, source: Multicast): ApiReply {
  const out = ctx.openStream("application/x-ndjson");
  const remove = source.add({ write: (line) => out.write(line), end: () => out.end() });
  out.onClose(remove);
  return "streamed";
}

/** GET /v1/log/error: error log events `{"message":...}`. */
export async function errorLog(ctx: ApiContext): Promise<ApiReply> {
  return stream(ctx, ctx.services.log.stream);
}

/** GET /v1/log/audit: audit events `{"time","request","response"}`. */
export async function auditLog(ctx: ApiContext): Promise<ApiReply> {
  return stream(ctx, ctx.services.audit.stream);
}
