/**
 * The reliability scenarios (issue 11), each returning figures: a fuzz of malformed requests over both
 * protocols, slowloris connections, stalled log subscribers under load, a Vault outage under load, and a
 * reload during an outage. `bench/reliability.ts` runs them full size and prints the figures; the live
 * test `test/live/runtime/reliability.test.ts` runs them small and asserts bounds (never timings).
 */
import * as fs from "node:fs";
import type * as http2 from "node:http2";
import { parse, stringify } from "yaml";
import type { KesApiKey } from "../../scripts/testbed/kes";
import {
  alive,
  connectRaw,
  connected,
  h2Request,
  h2Session,
  random,
  rssMiB,
  sleep,
  type RawConnection,
  type Target,
} from "./probes";

// ---------------------------------------------------------------------------------------------------
// Fuzz

const ROUTES = [
  "/version",
  "/v1/status",
  "/v1/ready",
  "/v1/metrics",
  "/v1/api",
  "/v1/key/create/",
  "/v1/key/import/",
  "/v1/key/describe/",
  "/v1/key/list/",
  "/v1/key/delete/",
  "/v1/key/generate/",
  "/v1/key/encrypt/",
  "/v1/key/decrypt/",
  "/v1/key/hmac/",
  "/v1/policy/describe/",
  "/v1/policy/read/",
  "/v1/policy/list/",
  "/v1/identity/describe/",
  "/v1/identity/self/describe",
  "/v1/identity/list/",
  "/v1/key",
  "/v2/x/",
  "/",
];
const RESOURCES = [
  "fuzz",
  "fuzz-k",
  "",
  "*",
  "%2A",
  "fuzz%2F..%2F..%2Fdelete%2Ffuzz",
  "..",
  "../..",
  "./x",
  "%zz",
  "%",
  "%ff%fe",
  "%C3%A9",
  "x".repeat(81),
  "x".repeat(6000),
  "a%00b",
  "-x",
  "_",
  "fuzz?x=%zz",
  "fuzz//",
];
const METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO"];
const BODIES: readonly (string | undefined)[] = [
  undefined,
  "",
  "{",
  "}",
  "null",
  "null x",
  "[]",
  '"s"',
  "1",
  '{"plaintext":1}',
  '{"plaintext":"!!"}',
  '{"plaintext":"aGVsbG8="}',
  '{"plaintext":"aGVsbG8=","context":"x"}',
  '{"ciphertext":"AAAA"}',
  `{"ciphertext":"${Buffer.alloc(120, 7).toString("base64")}"}`,
  '{"key":"AAAA","cipher":"AES256"}',
  `{"key":"${Buffer.alloc(32, 1).toString("base64")}","cipher":"AES256"}`,
  '{"message":"aGk="}',
  "[".repeat(50_000),
  '{"a":'.repeat(20_000),
  '{"plaintext":"aGVsbG8="}trailing',
  "\uFEFF{}",
  "\u0000\u0001\u0002",
];

/** What the fuzz saw. */
export interface FuzzFigures {
  readonly requests: number;
  /** Answers by status (`h2 400`, `h1 431`, ...) and failures (`h2 reset`, `h1 closed`). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Answers with a 5xx status. */
  readonly serverErrors: number;
  /** Requests without any answer within 20 s. */
  readonly hung: number;
  readonly crashed: boolean;
  /** GET /version after the fuzz. */
  readonly versionAfter: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
}

function fuzzBody(r: ReturnType<typeof random>): string | undefined {
  const n = r.int(20);
  if (n === 0) return "a".repeat(1_200_000); // over the 1 MB limit
  if (n === 1) return Buffer.from(Array.from({ length: 300 }, () => r.int(256))).toString("latin1");
  return r.pick(BODIES);
}

function fuzzPath(r: ReturnType<typeof random>): string {
  const route = r.pick(ROUTES);
  return route.endsWith("/") ? route + r.pick(RESOURCES) : route + (r.int(6) === 0 ? r.pick(RESOURCES) : "");
}

function count(outcomes: Record<string, number>, key: string): void {
  outcomes[key] = (outcomes[key] ?? 0) + 1;
}

async function fuzzH2(t: Target, n: number, seed: number, outcomes: Record<string, number>): Promise<number> {
  const r = random(seed);
  let hung = 0;
  const sessions: http2.ClientHttp2Session[] = [];
  const session = (i: number) => {
    const k = i % 8;
    if (!sessions[k] || sessions[k].closed || sessions[k].destroyed)
      sessions[k] = h2Session(t, k === 7 ? undefined : t.admin);
    return sessions[k];
  };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const body = fuzzBody(r);
      const headers: http2.OutgoingHttpHeaders = { ":method": r.pick(METHODS), ":path": fuzzPath(r) };
      const h = r.int(8);
      if (h === 0 && body !== undefined) headers["content-length"] = Buffer.byteLength(body) + 5; // a lie
      if (h === 1) headers["content-type"] = "text/plain";
      if (h === 2) headers["x-long"] = "v".repeat(8000);
      // GET and HEAD without a body: Node's client ends those streams with the headers
      const noBody = headers[":method"] === "GET" || headers[":method"] === "HEAD";
      const res = await h2Request(session(i), headers, noBody ? undefined : body);
      if (res.status !== undefined) count(outcomes, `h2 ${res.status}`);
      else count(outcomes, `h2 ${res.error}`);
      if (res.error === "timeout") hung++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  for (const s of sessions) s?.destroy();
  return hung;
}

function rawRequest(r: ReturnType<typeof random>): Buffer {
  const method = r.pick(METHODS);
  const path = fuzzPath(r).replace(/ /g, "%20");
  const body = fuzzBody(r) ?? "";
  const kind = r.int(12);
  const line =
    kind === 0
      ? `${method} ${path} HTTP/9.9`
      : kind === 1
        ? `${method} ${path}`
        : kind === 2
          ? `G\u0000T ${path} HTTP/1.1`
          : kind === 3
            ? `${method} * HTTP/1.1`
            : `${method} ${path} HTTP/1.1`;
  const headers = ["Host: localhost"];
  const h = r.int(10);
  if (h === 0) headers.push(`Content-Length: -1`);
  else if (h === 1) headers.push(`Content-Length: 5`, `Content-Length: 6`);
  else if (h === 2) headers.push("Transfer-Encoding: chunked");
  else if (h === 3) headers.push(`X-Huge: ${"h".repeat(20_000)}`);
  else if (h === 4) headers.push("no colon here");
  else if (h === 5)
    headers.push(`Content-Length: ${Buffer.byteLength(body) + 10}`); // the rest never comes
  else headers.push(`Content-Length: ${Buffer.byteLength(body, "latin1")}`);
  const payload = h === 2 ? `zz\r\n${body}\r\n0\r\n\r\n` : body;
  return Buffer.concat([
    Buffer.from(`${line}\r\n${headers.join("\r\n")}\r\n\r\n`, "latin1"),
    Buffer.from(payload, "latin1"),
  ]);
}

async function fuzzH1(t: Target, n: number, seed: number, outcomes: Record<string, number>): Promise<number> {
  const r = random(seed);
  let hung = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const req = rawRequest(r);
      let c: RawConnection;
      try {
        c = await connectRaw(t, { credential: i % 9 !== 0 });
      } catch {
        count(outcomes, "h1 tls failed");
        continue;
      }
      c.socket.write(req);
      c.socket.end(); // the server answers what it has, then closes
      const closed = await c.closedWithin(20_000);
      if (!closed) {
        hung++;
        c.socket.destroy();
      }
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(c.received());
      count(outcomes, m ? `h1 ${m[1]}` : closed ? "h1 closed" : "h1 hung");
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return hung;
}

/**
 * Sends `n` malformed requests, half over HTTP/2 (8 sessions, 16 in flight) and half over HTTP/1.1 (a TLS
 * connection each, 16 at once), from a seeded generator: methods, paths (encoded traversal, bad escapes,
 * long names), bodies (broken and deep JSON, trailing data, random bytes, over the limit) and headers
 * (lying or duplicate Content-Length, bad chunking, huge or broken headers, no client certificate).
 */
export async function fuzz(t: Target, n: number, seed = 11): Promise<FuzzFigures> {
  const rssBeforeMiB = rssMiB(t.pid);
  const outcomes: Record<string, number> = {};
  const hung =
    (await fuzzH2(t, Math.ceil(n / 2), seed, outcomes)) +
    (await fuzzH1(t, Math.floor(n / 2), seed + 1, outcomes));
  const crashed = !alive(t.pid);
  let versionAfter = 0;
  if (!crashed) {
    const s = h2Session(t);
    versionAfter = (await h2Request(s, { ":method": "GET", ":path": "/version" })).status ?? 0;
    s.destroy();
  }
  const serverErrors = Object.entries(outcomes)
    .filter(([k]) => / 5\d\d$/.test(k))
    .reduce((a, [, v]) => a + v, 0);
  return {
    requests: n,
    outcomes,
    serverErrors,
    hung,
    crashed,
    versionAfter,
    rssBeforeMiB,
    rssAfterMiB: crashed ? 0 : rssMiB(t.pid),
  };
}

// ---------------------------------------------------------------------------------------------------
// Slow clients

/** What the slow clients did to the server. */
export interface SlowFigures {
  readonly connections: number;
  /** Connections the server closed within the run. */
  readonly closedByServer: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  readonly rssAfterMiB: number;
  /** Normal requests answered 200 during the run / sent. */
  readonly servedDuring: string;
}

/** Samples RSS every 250 ms until stopped; returns the peak. */
function rssSampler(pid: number): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // gone: the caller reports the crash
    }
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** A closed loop of requests on `sessions` fresh HTTP/2 sessions until `until()`; counts by status. */
async function load(
  t: Target,
  sessions: number,
  until: () => boolean,
  request: (i: number) => { headers: http2.OutgoingHttpHeaders; body?: string },
  credential: KesApiKey = t.admin,
): Promise<{ sent: number; ok: number; failures: Record<string, number> }> {
  const pool = Array.from({ length: sessions }, () => h2Session(t, credential));
  await Promise.all(pool.map(connected));
  let sent = 0;
  let ok = 0;
  const failures: Record<string, number> = {};
  await Promise.all(
    pool.map(async (s, k) => {
      let session = s;
      while (!until()) {
        if (session.closed || session.destroyed) session = pool[k] = h2Session(t, credential);
        const { headers, body } = request(sent++);
        const r = await h2Request(session, headers, body);
        if (r.status !== undefined && r.status < 300) ok++;
        else count(failures, r.status !== undefined ? `${r.status} ${r.body.trim()}` : String(r.error));
      }
    }),
  );
  for (const s of pool) s.destroy();
  return { sent, ok, failures };
}

/**
 * Opens `connections` slowloris connections (HTTP/1.1 headers trickled one line a second; one in five an
 * HTTP/2 connection that never sends its preface) for `durationMs`, while one client keeps asking /version.
 */
export async function slowloris(t: Target, connections: number, durationMs: number): Promise<SlowFigures> {
  const rssBeforeMiB = rssMiB(t.pid);
  const sampler = rssSampler(t.pid);
  const conns = await Promise.all(
    Array.from({ length: connections }, (_, i) => connectRaw(t, { alpn: i % 5 === 4 ? "h2" : "http/1.1" })),
  );
  const end = Date.now() + durationMs;
  const trickle = conns.map(async (c, i) => {
    if (i % 5 === 4) return; // HTTP/2: silence
    c.socket.write("GET /version HTTP/1.1\r\n");
    for (let k = 0; Date.now() < end && !c.closed(); k++) {
      c.socket.write(`X-Slow-${k}: x\r\n`);
      await sleep(1000);
    }
  });
  const served = await load(
    t,
    1,
    () => Date.now() >= end,
    () => ({
      headers: { ":method": "GET", ":path": "/version" },
    }),
  );
  await Promise.all(trickle);
  const closedByServer = conns.filter((c) => c.closed()).length;
  for (const c of conns) c.socket.destroy();
  await sleep(1000);
  return {
    connections,
    closedByServer,
    rssBeforeMiB,
    rssPeakMiB: sampler.stop(),
    rssAfterMiB: rssMiB(t.pid),
    servedDuring: `${served.ok}/${served.sent}`,
  };
}

/** What stalled log subscribers did to the server. */
export interface StalledFigures {
  readonly subscribers: number;
  /** Subscribers the server disconnected for falling behind. */
  readonly dropped: number;
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly errors: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  readonly rssAfterMiB: number;
}

/**
 * Subscribes `subscribers` HTTP/2 and as many HTTP/1.1 clients to /v1/log/audit, stops reading on all of
 * them, and drives generate requests on key `key` from `clients` sessions for `durationMs`. HTTP/2 flow
 * control holds a subscriber's events in the server once its window is full; an HTTP/1.1 subscriber's go
 * to the kernel's socket buffers first (up to tcp_rmem + tcp_wmem, tens of MiB), then to the server.
 */
export async function stalledSubscribers(
  t: Target,
  key: string,
  subscribers: number,
  clients: number,
  durationMs: number,
  /** Stop early once every HTTP/2 subscriber is dropped (CI: bounds, whatever the machine's speed). */
  untilDropped = false,
): Promise<StalledFigures> {
  const h2subs = Array.from({ length: subscribers }, () => h2Session(t));
  const streams = h2subs.map((s) => {
    const req = s.request({ ":method": "GET", ":path": "/v1/log/audit" }, { endStream: true });
    req.on("error", () => undefined);
    let closed = false;
    req.once("response", () => req.pause());
    req.once("close", () => (closed = true));
    return { closed: () => closed };
  });
  const h1subs = await Promise.all(
    Array.from({ length: subscribers }, async () => {
      const c = await connectRaw(t, { read: false });
      c.socket.write("GET /v1/log/audit HTTP/1.1\r\nHost: localhost\r\n\r\n");
      c.socket.pause();
      return c;
    }),
  );
  await sleep(300);
  const rssBeforeMiB = rssMiB(t.pid);
  const sampler = rssSampler(t.pid);
  const started = Date.now();
  const end = started + durationMs;
  const res = await load(
    t,
    clients,
    () => Date.now() >= end || (untilDropped && streams.every((x) => x.closed())),
    () => ({
      headers: { ":method": "PUT", ":path": `/v1/key/generate/${key}`, "content-type": "application/json" },
      body: "{}",
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const dropped = streams.filter((s) => s.closed()).length + h1subs.filter((c) => c.closed()).length;
  const rssPeakMiB = sampler.stop();
  for (const s of h2subs) s.destroy();
  for (const c of h1subs) c.socket.destroy();
  await sleep(1000);
  return {
    subscribers: subscribers * 2,
    dropped,
    requests: res.sent,
    requestsPerSec: Math.round(res.sent / seconds),
    errors: res.sent - res.ok,
    rssBeforeMiB,
    rssPeakMiB,
    rssAfterMiB: rssMiB(t.pid),
  };
}

// ---------------------------------------------------------------------------------------------------
// Vault outages

/** A Vault outage under load. */
export interface OutageFigures {
  readonly clients: number;
  readonly outageMs: number;
  readonly requests: number;
  /** Failed requests on the cached key (before, during and after the outage). */
  readonly errors: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Time from the end of the outage until a new key could be created (no restart). */
  readonly recoveryMs: number;
}

/**
 * `clients` sessions run generate and decrypt on the cached key `key` while the OpenBao process `baoPid`
 * is paused (SIGSTOP) for `outageMs` after `beforeMs`, then resumed (SIGCONT); the load goes on for
 * `afterMs`. From the resume on, keys are created until one succeeds (the recovery time).
 */
export async function outageUnderLoad(
  t: Target,
  baoPid: number,
  key: string,
  opts: { clients: number; beforeMs: number; outageMs: number; afterMs: number },
): Promise<OutageFigures> {
  const s = h2Session(t);
  const gen = await h2Request(
    s,
    { ":method": "PUT", ":path": `/v1/key/generate/${key}`, "content-type": "application/json" },
    "{}",
  );
  if (gen.status !== 200)
    throw new Error(`generate on ${key} failed before the outage: ${gen.status} ${gen.body}`);
  const ciphertext = (JSON.parse(gen.body) as { ciphertext: string }).ciphertext;
  const start = Date.now();
  const end = start + opts.beforeMs + opts.outageMs + opts.afterMs;
  let recoveryMs = -1;
  const outage = (async () => {
    await sleep(opts.beforeMs);
    process.kill(baoPid, "SIGSTOP");
    await sleep(opts.outageMs);
    process.kill(baoPid, "SIGCONT");
    const resumed = Date.now();
    for (let i = 0; recoveryMs < 0 && Date.now() - resumed < 120_000; i++) {
      const path = `/v1/key/create/${key}-after-${resumed}-${i}`;
      const r = await h2Request(s, { ":method": "PUT", ":path": path });
      if (r.status === 200) recoveryMs = Date.now() - resumed;
      else await sleep(100);
    }
  })();
  const res = await load(
    t,
    opts.clients,
    () => Date.now() >= end,
    (i) =>
      i % 2 === 0
        ? { headers: { ":method": "PUT", ":path": `/v1/key/generate/${key}` }, body: "{}" }
        : {
            headers: { ":method": "PUT", ":path": `/v1/key/decrypt/${key}` },
            body: JSON.stringify({ ciphertext }),
          },
  );
  await outage;
  s.destroy();
  return {
    clients: opts.clients,
    outageMs: opts.outageMs,
    requests: res.sent,
    errors: res.sent - res.ok,
    failures: res.failures,
    recoveryMs,
  };
}

/** A reload during a Vault outage. */
export interface ReloadFigures {
  /** From SIGHUP to the first 403 for the removed identity. */
  readonly deniedAfterMs: number;
  /** Requests of the identity that stays (cached key) and how many failed, over the whole scenario. */
  readonly keptRequests: number;
  readonly keptErrors: number;
  /** From the end of the outage until the keystore part of the reload was applied. */
  readonly keystoreReloadedAfterMs: number;
}

/**
 * With `keep` and `removed` both allowed to generate on the cached key `key`: pauses OpenBao, removes
 * `removed` from the config file's policies and changes the cache expiry (the keystore part must log in
 * again), sends SIGHUP to the server, measures until `removed` is denied while `keep` keeps working,
 * resumes OpenBao after `outageMs` and waits for the keystore part to be applied.
 */
export async function reloadDuringOutage(
  t: Target,
  server: { configFile: string; output(): string },
  baoPid: number,
  key: string,
  ids: { keep: KesApiKey; removed: KesApiKey },
  outageMs: number,
): Promise<ReloadFigures> {
  let stop = false;
  const kept = load(
    t,
    4,
    () => stop,
    () => ({
      headers: { ":method": "PUT", ":path": `/v1/key/generate/${key}` },
      body: "{}",
    }),
    ids.keep,
  );
  await sleep(500);
  const reloadsBefore = server.output().split('"msg":"keystore reloaded"').length;
  process.kill(baoPid, "SIGSTOP");
  const paused = Date.now();
  const config = parse(fs.readFileSync(server.configFile, "utf8"));
  for (const p of Object.values(config.policy as Record<string, { identities: string[] }>)) {
    p.identities = p.identities.filter((id) => id !== ids.removed.identity);
  }
  config.cache = { expiry: { any: "4m", unused: "2m", offline: "5m" } };
  fs.writeFileSync(server.configFile, stringify(config), { mode: 0o600 });
  const hup = Date.now();
  process.kill(t.pid, "SIGHUP");
  const removed = h2Session(t, ids.removed);
  let deniedAfterMs = -1;
  while (deniedAfterMs < 0 && Date.now() - hup < 30_000) {
    const r = await h2Request(removed, { ":method": "PUT", ":path": `/v1/key/generate/${key}` }, "{}", 5000);
    if (r.status === 403) deniedAfterMs = Date.now() - hup;
    else await sleep(50);
  }
  removed.destroy();
  await sleep(Math.max(0, paused + outageMs - Date.now()));
  process.kill(baoPid, "SIGCONT");
  const resumed = Date.now();
  let keystoreReloadedAfterMs = -1;
  while (keystoreReloadedAfterMs < 0 && Date.now() - resumed < 90_000) {
    if (server.output().split('"msg":"keystore reloaded"').length > reloadsBefore) {
      keystoreReloadedAfterMs = Date.now() - resumed;
    } else await sleep(100);
  }
  stop = true;
  const k = await kept;
  return { deniedAfterMs, keptRequests: k.sent, keptErrors: k.sent - k.ok, keystoreReloadedAfterMs };
}
