/**
 * Reload while the Vault keystore is down (issue 11, defect 4), on the built key server process with a
 * real OpenBao that is paused (SIGSTOP: requests to it hang, its data survives) and resumed: policy and
 * identity changes apply at once, without the keystore; the keystore part of the reload is retried
 * until OpenBao answers again, with no second SIGHUP. A second SIGHUP while that part is pending wins:
 * the superseded reload's keystore part is never applied, the newest one's exactly once.
 */
import * as fs from "node:fs";
import { parse, stringify } from "yaml";
import {
  newApiKey,
  startKeyServer,
  type KesApiKey,
  type RunningKeyServer,
} from "../../../scripts/testbed/kes";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { waitUntil } from "../../../scripts/testbed/process";
import { Client } from "./server-helpers";

let bao: OpenBaoServer;
const started: RunningKeyServer[] = [];

beforeAll(async () => {
  bao = await startOpenBao();
}, 120_000);

afterAll(async () => {
  if (bao) process.kill(bao.process.pid, "SIGCONT");
  for (const ks of started) await ks.cleanup();
  await bao?.stop();
});

/** The parts of the YAML config these tests edit. */
interface EditableConfig {
  policy: Record<string, { identities: string[] }>;
  cache?: unknown;
  keys?: { name: string }[];
}

/** Our key server on OpenBao (K/V under `prefix`), with policy `app` (create/generate `app-*`) for `identities`. */
async function startOurs(prefix: string, identities: readonly KesApiKey[]): Promise<RunningKeyServer> {
  const ks = await startKeyServer("ours", {
    keystore: { kind: "vault", openbao: bao, prefix },
    policies: {
      app: {
        allow: ["/v1/key/create/app-*", "/v1/key/generate/app-*"],
        identities: identities.map((i) => i.identity),
      },
    },
  });
  started.push(ks);
  return ks;
}

async function status(ks: RunningKeyServer, who: KesApiKey, method: string, path: string): Promise<number> {
  const c = new Client(ks.port, fs.readFileSync(ks.caFile, "utf8"), who);
  try {
    const body = method === "GET" ? undefined : {};
    return (await c.request(method, path, body, { "content-type": "application/json" })).status;
  } finally {
    await c.close();
  }
}

const generate = (ks: RunningKeyServer, who: KesApiKey) => status(ks, who, "PUT", "/v1/key/generate/app-k");
const count = (ks: RunningKeyServer, text: string) => ks.process.output().split(text).length - 1;

/** Writes the config with `change` applied and sends SIGHUP; resolves once "config reloaded" is logged. */
async function reloadWith(ks: RunningKeyServer, change: (config: EditableConfig) => void): Promise<void> {
  const config = parse(fs.readFileSync(ks.configFile, "utf8")) as EditableConfig;
  change(config);
  fs.writeFileSync(ks.configFile, stringify(config), { mode: 0o600 });
  const before = count(ks, '"msg":"config reloaded"');
  process.kill(ks.process.pid, "SIGHUP");
  await waitUntil("the reload", async () => count(ks, '"msg":"config reloaded"') > before, {
    proc: ks.process,
    timeoutMs: 5000,
  });
}

test("GIVEN OpenBao paused WHEN an identity is removed from its policy and the cache settings change, then SIGHUP THEN it is denied at once, and the keystore part is retried until OpenBao is back", async () => {
  const app = newApiKey();
  const ks = await startOurs("reload", [app]);
  expect(await status(ks, app, "PUT", "/v1/key/create/app-k")).toBe(200);
  expect(await generate(ks, app)).toBe(200);

  process.kill(bao.process.pid, "SIGSTOP");
  await reloadWith(ks, (c) => {
    c.policy.app.identities = [];
    c.cache = { expiry: { any: "4m", unused: "1m" } }; // a keystore change: needs a new login
  });
  // the cached key would still serve: only authorization can say no
  expect(await generate(ks, app)).toBe(403);
  await waitUntil(
    "a failed keystore reload attempt",
    async () => ks.process.output().includes("keystore reload failed"),
    { proc: ks.process, timeoutMs: 30_000 },
  );

  process.kill(bao.process.pid, "SIGCONT");
  await waitUntil(
    "the retried keystore reload",
    async () => ks.process.output().includes('"msg":"keystore reloaded"'),
    { proc: ks.process, timeoutMs: 60_000 },
  );
  expect(await generate(ks, app)).toBe(403);
}, 180_000);

test("GIVEN OpenBao paused and a reload whose keystore part is pending WHEN a second SIGHUP brings a newer config THEN the newer one wins: removed identities denied at once, the superseded keystore part never applied, the newest once", async () => {
  const [app, other, third] = [newApiKey(), newApiKey(), newApiKey()];
  const ks = await startOurs("superseded", [app, other]);
  expect(await status(ks, app, "PUT", "/v1/key/create/app-k")).toBe(200);
  expect(await generate(ks, other)).toBe(200);
  const reloadedBefore = count(ks, '"msg":"keystore reloaded"');

  process.kill(bao.process.pid, "SIGSTOP");
  // 1st: `other` removed; a cache change (a new keystore login) and a predefined key: keystore work
  await reloadWith(ks, (c) => {
    c.policy.app.identities = [app.identity];
    c.cache = { expiry: { any: "4m", unused: "1m" } };
    c.keys = [{ name: "pre-first" }];
  });
  expect(await generate(ks, other)).toBe(403);
  expect(await generate(ks, app)).toBe(200); // the cached key serves while OpenBao is paused

  // 2nd, while the 1st one's login still hangs on the paused OpenBao: `app` removed too, `third` added
  await reloadWith(ks, (c) => {
    c.policy.app.identities = [third.identity];
    c.cache = { expiry: { any: "3m", unused: "1m" } };
    c.keys = [{ name: "pre-second" }];
  });
  expect(await generate(ks, app)).toBe(403);
  expect(await generate(ks, other)).toBe(403);
  expect(await generate(ks, third)).toBe(200);

  // resumed within the first reload's request timeout (10 s): its hanging login then succeeds
  process.kill(bao.process.pid, "SIGCONT");
  await waitUntil(
    "the keystore reload",
    async () => count(ks, '"msg":"keystore reloaded"') > reloadedBefore,
    { proc: ks.process, timeoutMs: 60_000 },
  );
  // long enough for the superseded attempt to finish what its login started (it must not)
  await new Promise((r) => setTimeout(r, 3000));
  expect(count(ks, '"msg":"keystore reloaded"') - reloadedBefore).toBe(1);
  const describe = (name: string) => status(ks, ks.admin, "GET", `/v1/key/describe/${name}`);
  expect(await describe("pre-second")).toBe(200);
  expect(await describe("pre-first")).toBe(404);
  expect(await generate(ks, third)).toBe(200);
  expect(await generate(ks, app)).toBe(403);
  expect(await generate(ks, other)).toBe(403);
}, 180_000);
