/**
 * Server API handlers: version, ready, status, API list, metrics.
 * @see https://github.com/minio/kes/blob/master/server.go
 */
import * as os from "node:os";
import { KesError } from "../errors";
import { KeystoreUnreachableError } from "../keystore/keystore";
import { METRICS_CONTENT_TYPE } from "../metrics/metrics";
import type { ApiContext, ApiReply } from "../server/context";
import { SERVER_COMMIT, SERVER_VERSION } from "../server/version";

/** Go's GOARCH for Node's process.arch. Never throws. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = {
    x64: "amd64",
    ia32: "386",
    arm64: "arm64",
    arm: "arm",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  return map[arch] ?? arch;
}

/** GET /version: `{"version","commit"}`; no identity needed. */
export async function version(): Promise<ApiReply> {
  return { status: 200, json: { version: SERVER_VERSION, commit: SERVER_COMMIT } };
}

/** GET /v1/ready: 200 when the keystore answers; 504 `key store is not reachable`; 502 `key store is unavailable`. */
export async function ready(ctx: ApiContext): Promise<ApiReply> {
  try {
    await ctx.state.keys.status();
  } catch (e) {
    ctx.services.log.warn("keystore status check failed", {
      error: e instanceof Error ? e.message : String(e),
    });
    if (e instanceof KeystoreUnreachableError) throw new KesError(504, "key store is not reachable");
    throw new KesError(502, "key store is unavailable");
  }
  return { status: 200 };
}

/**
 * GET /v1/status: version, platform, uptime, memory, keystore latency (ms, at least 1). When the keystore
 * fails, `keystore_unreachable` and `keystore_unavailable` are both true (kms-go rejects one without the other).
 */
export async function status(ctx: ApiContext): Promise<ApiReply> {
  let latency: number | undefined;
  try {
    const s = await ctx.state.keys.status();
    latency = Math.max(1, Math.round(s.latencyMs));
  } catch {
    latency = undefined;
  }
  const mem = process.memoryUsage();
  const cpus = os.cpus().length;
  return {
    status: 200,
    json: {
      version: SERVER_VERSION,
      os: process.platform,
      arch: goArch(),
      uptime: Math.round((Date.now() - ctx.state.startTime.getTime()) / 1000),
      num_cpu: cpus,
      num_cpu_used: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus,
      mem_heap_used: mem.heapUsed,
      mem_stack_used: 0,
      ...(latency === undefined
        ? { keystore_unreachable: true, keystore_unavailable: true }
        : { keystore_latency: latency }),
    },
  };
}

/** GET /v1/api: one `{"method","path","max_body","timeout"}` per route (timeout in whole seconds). */
export async function listApis(ctx: ApiContext): Promise<ApiReply> {
  return {
    status: 200,
    json: ctx.state.routes.map((r) => ({
      method: r.method,
      path: r.path,
      max_body: r.maxBody,
      timeout: Math.floor(r.timeoutMs / 1000),
    })),
  };
}

/** GET /v1/metrics: Prometheus text format. */
export async function metrics(ctx: ApiContext): Promise<ApiReply> {
  const { metrics: m, log, audit } = ctx.services;
  return {
    status: 200,
    text: m.render({ error: log.events, audit: audit.events }),
    contentType: METRICS_CONTENT_TYPE,
  };
}
