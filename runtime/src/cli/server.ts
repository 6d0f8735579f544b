/**
 * `server --config FILE [--addr ADDR]` and `server --dev [--addr ADDR] [--fs-path DIR]`, with reload on
 * SIGHUP and graceful shutdown on SIGTERM/SIGINT (installed by main.ts through `installSignals`).
 * @see https://github.com/minio/kes/blob/master/cmd/kes/server.go
 */
import cluster from "node:cluster";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { createSelfSignedCertificate, generateCertificateKey } from "../auth/certificate";
import { identityOfApiKey, newApiKey } from "../auth/identity";
import { openKeystore } from "../config/keystore";
import { loadConfigFile, type LoadedConfig } from "../config/load";
import { DEFAULT_CACHE, type ServerConfig } from "../config/parse";
import { AuditLog } from "../log/audit";
import { LEVEL, Logger } from "../log/logger";
import { Metrics } from "../metrics/metrics";
import type { ServerServices, ServerState } from "../server/context";
import { KesApiServer, splitAddress } from "../server/server";
import { buildState, createPredefinedKeys, stateWithKeys } from "../server/state";
import { SERVER_VERSION } from "../server/version";
import { parse, UsageError } from "./args";
import { parseWorkers } from "./cluster";
import { relayWorkerStreams, type Channel } from "./log-relay";
import type { Out } from "./identity";

/** Usage text. */
export const SERVER_USAGE = `Usage:
  keyserver server --config FILE [--addr ADDR]
  keyserver server --dev [--addr ADDR] [--fs-path DIR]
  keyserver server --config FILE --workers N

--config FILE     KES-schema YAML config (\${ENV} references resolved from the environment)
--addr ADDR       listen address, overrides the config's address (default 0.0.0.0:7373; --dev: 127.0.0.1:7373)
--dev             development server: in-memory keystore (or --fs-path DIR), self-signed certificate for
                  localhost/127.0.0.1/::1, a random admin API key printed once
--fs-path DIR     with --dev: keep keys in DIR instead of memory
--workers N       serve with N processes (node:cluster) sharing the address, for more than one core
                  (default 1); each has its own key cache, /v1/status and /v1/metrics; log streams carry
                  every worker's events; SIGHUP/SIGTERM reach every worker. Not with --dev.
                  Default: $KEYSERVER_WORKERS, else 1`;

const SERVER_FLAGS = {
  config: { type: "string" },
  addr: { type: "string" },
  dev: { type: "boolean" },
  "fs-path": { type: "string" },
  workers: { type: "string" },
} as const;

/** Environment variable giving the number of workers when --workers is not set (ignored with --dev). */
export const WORKERS_ENV = "KEYSERVER_WORKERS";

/**
 * The number of worker processes `server <args>` asks for: --workers, else $KEYSERVER_WORKERS (not with
 * --dev), else 1.
 * @throws UsageError for bad flags, a bad --workers (or $KEYSERVER_WORKERS) value, or --workers above 1
 *   with --dev (each worker would make its own random admin key and certificate).
 */
export function serverWorkers(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const { values } = parse(args, SERVER_FLAGS);
  if (values.workers === undefined) {
    const fromEnv = env[WORKERS_ENV];
    if (values.dev || fromEnv === undefined || fromEnv === "") return 1;
    return parseWorkers(fromEnv, WORKERS_ENV);
  }
  const n = parseWorkers(values.workers);
  if (n > 1 && values.dev)
    throw new UsageError(
      "server: --workers applies to --config only: --dev makes a random admin key per process",
    );
  return n;
}

/** A started server with its reload and stop operations. */
export interface RunningServer {
  readonly server: KesApiServer;
  /** Re-reads the config (new keystore and cache, policies, TLS certificate); keeps the old state on error. */
  reload(): Promise<void>;
  /** Graceful stop: no new connections, in-flight requests finish, keystore closed. */
  stop(): Promise<void>;
}

const DEV_ADDRESS = "127.0.0.1:7373";
const OLD_STATE_GRACE_MS = 30_000;

function devConfig(address: string, admin: string, fsPath: string | undefined): ServerConfig {
  return {
    address,
    admin: { kind: "hash", value: admin },
    tls: { key: "", cert: "", auth: "off" },
    policies: {},
    cache: { ...DEFAULT_CACHE },
    api: {},
    log: { errorLevel: LEVEL.INFO, auditLevel: LEVEL.INFO },
    keys: [],
    keystore: fsPath ? { kind: "fs", path: fsPath } : { kind: "memory" },
  };
}

function devLoaded(address: string, fsPath: string | undefined): { loaded: LoadedConfig; apiKey: string } {
  const apiKey = newApiKey();
  const admin = identityOfApiKey(apiKey);
  const { host } = splitAddress(address);
  const ips = new Set(["127.0.0.1", "::1"]);
  if (host === "0.0.0.0" || host === "::") {
    // listening on every interface: certify every interface address, as `kes server --dev` does
    for (const addrs of Object.values(networkInterfaces()))
      for (const a of addrs ?? []) ips.add(a.address.split("%")[0]);
  } else if (isIP(host)) {
    ips.add(host);
  }
  const key = generateCertificateKey("ecdsa-p256");
  const cert = createSelfSignedCertificate({
    privateKey: key,
    commonName: "localhost",
    dnsNames: ["localhost"],
    ipAddresses: [...ips],
  });
  return {
    apiKey,
    loaded: {
      config: devConfig(address, admin, fsPath),
      admin,
      policies: {},
      tls: { key: key.export({ type: "pkcs8", format: "pem" }).toString(), cert: cert.pem },
    },
  };
}

/**
 * Opens the keystore, builds the state and creates the predefined keys. With `wanted` (a reload), a
 * reload superseded while the keystore was being opened gets undefined instead, its keystore closed and
 * none of its predefined keys created.
 */
async function startState(loaded: LoadedConfig, log: Logger): Promise<ServerState>;
async function startState(
  loaded: LoadedConfig,
  log: Logger,
  startTime: Date,
  wanted: () => boolean,
): Promise<ServerState | undefined>;
async function startState(
  loaded: LoadedConfig,
  log: Logger,
  startTime?: Date,
  wanted: () => boolean = () => true,
): Promise<ServerState | undefined> {
  const keystore = await openKeystore(loaded.config.keystore, (message) =>
    log.warn(message, { keystore: loaded.config.keystore.kind }),
  );
  const state = buildState(loaded, keystore, startTime);
  if (!wanted()) {
    await state.keys.close();
    return undefined;
  }
  try {
    await createPredefinedKeys(state, wanted);
  } catch (e) {
    await state.keys.close();
    throw e;
  }
  return state;
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Runs `attempt` until it succeeds or `wanted()` turns false, waiting 1 s, 2 s, 4 s ... (at most 30 s)
 * between attempts and reporting each failure to `onFailure`. Never throws.
 */
async function retryUntilDone(
  wanted: () => boolean,
  attempt: () => Promise<void>,
  onFailure: (e: Error, delayMs: number) => void,
): Promise<void> {
  for (let delay = RETRY_FIRST_MS; wanted(); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    try {
      await attempt();
      return;
    } catch (e) {
      if (!wanted()) return;
      onFailure(e instanceof Error ? e : new Error(String(e)), delay);
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }
}

/**
 * Starts a server from the command line (`server ...` arguments without the word `server`).
 * @throws UsageError for bad flags; Error when the config is invalid, the keystore cannot be opened or
 *   the address cannot be bound.
 */
export async function runServer(args: readonly string[], out: Out = process.stdout): Promise<RunningServer> {
  const { values } = parse(args, SERVER_FLAGS);
  if (values.dev && values.config)
    throw new UsageError("server: --dev and --config exclude each other: use one");
  if (!values.dev && !values.config)
    throw new UsageError("server: --config FILE is required (or --dev for a development server)");
  if (values["fs-path"] && !values.dev)
    throw new UsageError("server: --fs-path only applies to --dev; set keystore.fs.path in the config");

  let apiKey: string | undefined;
  let loaded: LoadedConfig;
  if (values.dev) {
    const dev = devLoaded(values.addr ?? DEV_ADDRESS, values["fs-path"]);
    loaded = dev.loaded;
    apiKey = dev.apiKey;
  } else {
    loaded = loadConfigFile(values.config!);
  }
  const services: ServerServices = {
    log: new Logger(loaded.config.log.errorLevel),
    audit: new AuditLog(loaded.config.log.auditLevel <= LEVEL.INFO),
    metrics: new Metrics(),
  };
  if (cluster.isWorker) process.on("message", relayWorkerStreams(services, process as Channel));
  const state = await startState(loaded, services.log);
  const address = values.addr ?? loaded.config.address;
  let server: KesApiServer;
  try {
    server = await KesApiServer.start({ address, tls: loaded.tls, state, services });
  } catch (e) {
    await state.keys.close();
    throw new Error(`server: cannot listen on ${address}: ${(e as Error).message}`);
  }
  const bound = server.address();
  const url = `https://${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`;
  if (apiKey !== undefined) {
    out.write(
      [
        `Version    ${SERVER_VERSION}`,
        `Runtime    node ${process.version} ${process.platform}/${process.arch}`,
        "",
        `API        · ${url}`,
        "",
        `API Key    ${apiKey}`,
        `Admin      ${loaded.admin}`,
        `Keystore   ${loaded.config.keystore.kind === "fs" ? `fs ${values["fs-path"]}` : "in-memory"}`,
        "Logs       error=stderr level=INFO",
        "           audit=stdout level=INFO",
        "",
        "=> Server is up and running...",
        "",
      ].join("\n"),
    );
  }
  services.log.info("server started", {
    address: url,
    version: SERVER_VERSION,
    keystore: loaded.config.keystore.kind,
  });

  let reloading: Promise<void> | undefined;
  // The config whose keystore and cache settings the running key cache was built from: a reload whose
  // keystore part is still being retried has not changed it yet.
  let running = loaded;
  // Bumped by every reload and by stop: a keystore retry loop of an older reload gives up.
  let generation = 0;
  const reload = async () => {
    if (!values.config) {
      services.log.info("reload ignored: --dev has no config file");
      return;
    }
    const next = loadConfigFile(values.config);
    const gen = ++generation;
    const live = server.currentState();
    // 1. Admin, policies, identities, routes and TLS at once, over the running key cache: no keystore
    //    call, so an identity removed from the file is denied even while the keystore is down.
    const interim = stateWithKeys(next, live.keys, live.startTime);
    try {
      server.update(interim, next.tls);
    } catch (e) {
      throw new Error(`tls: the new key or certificate is unusable: ${(e as Error).message}`);
    }
    services.log.level = next.config.log.errorLevel;
    services.audit.toOutput = next.config.log.auditLevel <= LEVEL.INFO;
    services.log.info("config reloaded", { file: values.config });
    // 2. The keystore part (a new keystore or cache settings, predefined keys), retried until it works.
    const sameKeys =
      isDeepStrictEqual(next.config.keystore, running.config.keystore) &&
      isDeepStrictEqual(next.config.cache, running.config.cache);
    void retryUntilDone(
      () => gen === generation,
      async () => {
        const current = () => gen === generation;
        if (sameKeys) return createPredefinedKeys(interim, current);
        const fresh = await startState(next, services.log, live.startTime, current);
        if (!fresh) return;
        if (!current()) return void fresh.keys.close();
        const old = server.update(fresh);
        running = next;
        setTimeout(() => void old.keys.close(), OLD_STATE_GRACE_MS).unref();
        services.log.info("keystore reloaded", { keystore: next.config.keystore.kind });
      },
      (e, delayMs) =>
        services.log.error("keystore reload failed; policies and identities are applied, retrying", {
          error: e.message,
          retryInMs: delayMs,
        }),
    );
  };
  return {
    server,
    reload: () => {
      reloading ??= reload().finally(() => (reloading = undefined));
      return reloading;
    },
    async stop() {
      generation++;
      await server.close();
      await server.currentState().keys.close();
      services.log.info("server stopped");
    },
  };
}

/**
 * Wires SIGHUP to reload (errors are logged, the old config stays) and SIGTERM/SIGINT to a graceful stop
 * followed by process exit. Never throws.
 */
export function installSignals(running: RunningServer): void {
  const log = running.server.services.log;
  process.on("SIGHUP", () => {
    running
      .reload()
      .catch((e: Error) =>
        log.error("config reload failed; keeping the running config", { error: e.message }),
      );
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
