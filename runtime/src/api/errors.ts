import { KesError } from "../errors";
import type { ApiContext } from "../server/context";

/**
 * Maps a keystore or cache failure to what the client sees: a KesError passes through (e.g. 404
 * `key does not exist`), anything else is logged and becomes `fallback` (KES' 502 messages).
 * Never throws; returns the error to throw.
 */
export function keystoreFailure(ctx: ApiContext, err: unknown, fallback: KesError): KesError {
  if (err instanceof KesError) return err;
  ctx.services.log.error(fallback.message, {
    error: err instanceof Error ? err.message : String(err),
    req: { method: ctx.method, path: ctx.path, identity: ctx.identity },
  });
  return fallback;
}
