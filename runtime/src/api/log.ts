/**
 * Log stream handlers: GET /v1/log/error and /v1/log/audit answer 200 with `application/x-ndjson`,
 * send the headers at once, then push one JSON object per line as events happen until the client leaves.
 */
import type { Multicast } from "../log/multicast";
import type { ApiContext, ApiReply } from "../server/context";

function stream(ctx: ApiContext, source: Multicast): ApiReply {
  const { res } = ctx;
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  // HTTP/1.1 responses (http.ServerResponse) buffer headers until flushed; HTTP/2 ones send them on writeHead.
  (res as unknown as { flushHeaders?: () => void }).flushHeaders?.();
  const remove = source.add({
    write: (line) => {
      if (res.destroyed || res.writableEnded) return false;
      res.write(line);
      return true;
    },
    end: () => res.end(),
  });
  res.once("close", remove);
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
