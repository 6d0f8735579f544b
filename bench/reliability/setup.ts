/**
 * The server the reliability scenarios run against: our built key server (runtime/dist/keyserver.cjs) as
 * its own process, on K/V v1 of an OpenBao dev server (AppRole), with an offline cache of 5 minutes and
 * two application identities allowed on `rel-*` keys. Audit output is off (the stream subscribers still
 * get every event); the error log is on.
 */
import * as fs from "node:fs";
import { newApiKey, startKeyServer, type KesApiKey, type RunningKeyServer } from "../../scripts/testbed/kes";
import { startOpenBao, type OpenBaoServer } from "../../scripts/testbed/openbao";
import { h2Request, h2Session, type Target } from "./probes";

/** A started server, its OpenBao and identities. */
export interface ReliabilityBed {
  readonly target: Target;
  readonly server: RunningKeyServer;
  readonly bao: OpenBaoServer;
  /** Allowed on rel-* and staying allowed. */
  readonly keep: KesApiKey;
  /** Allowed on rel-* until the reload scenario removes it. */
  readonly removed: KesApiKey;
  /** A key that exists (created by the admin). */
  readonly key: string;
  stop(): Promise<void>;
}

/**
 * Starts OpenBao and the server, and creates the key `rel-k`.
 * @throws Error when the test bed, the bundle or a start fails (with the process output).
 */
export async function startReliabilityBed(): Promise<ReliabilityBed> {
  const bao = await startOpenBao();
  const keep = newApiKey();
  const removed = newApiKey();
  let server: RunningKeyServer;
  try {
    server = await startKeyServer("ours", {
      keystore: { kind: "vault", openbao: bao, prefix: "rel" },
      policies: {
        app: {
          allow: ["/v1/key/create/rel-*", "/v1/key/generate/rel-*", "/v1/key/decrypt/rel-*"],
          identities: [keep.identity, removed.identity],
        },
      },
      cacheExpiry: { any: "5m", unused: "1m", offline: "5m" },
      log: { audit: "off", error: "on" },
    });
  } catch (e) {
    await bao.stop();
    throw e;
  }
  const target: Target = {
    port: server.port,
    caPem: fs.readFileSync(server.caFile, "utf8"),
    admin: server.admin,
    pid: server.process.pid,
  };
  const key = "rel-k";
  const s = h2Session(target);
  const created = await h2Request(s, { ":method": "PUT", ":path": `/v1/key/create/${key}` });
  s.destroy();
  if (created.status !== 200) throw new Error(`cannot create ${key}: ${created.status} ${created.body}`);
  return {
    target,
    server,
    bao,
    keep,
    removed,
    key,
    async stop() {
      try {
        process.kill(bao.process.pid, "SIGCONT");
      } catch {
        // already gone
      }
      await server.cleanup();
      await bao.stop();
    },
  };
}
