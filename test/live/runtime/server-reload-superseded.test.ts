/**
 * A second SIGHUP while the keystore part of a first reload is being retried (Vault down), on the built key
 * server process with a real OpenBao that is paused (SIGSTOP) and resumed: the newest config wins; the
 * identities either config removed are denied at once, while OpenBao is still paused; the superseded
 * reload's keystore part is never applied (its predefined key is not created), the newest one's exactly
 * once.
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

const app = newApiKey();
const other = newApiKey();
const third = newApiKey();
let bao: OpenBaoServer;
let ks: RunningKeyServer;
let caPem: string;

beforeAll(async () => {
  bao = await startOpenBao();
  ks = await startKeyServer("ours", {
    keystore: { kind: "vault", openbao: bao, prefix: "superseded" },
    policies: {
      app: {
        allow: ["/v1/key/create/app-*", "/v1/key/generate/app-*"],
        identities: [app.identity, other.identity],
      },
    },
  });
  caPem = fs.readFileSync(ks.caFile, "utf8");
}, 120_000);

afterAll(async () => {
  if (bao) process.kill(bao.process.pid, "SIGCONT");
  await ks?.cleanup();
  await bao?.stop();
});

async function status(who: KesApiKey, method: string, path: string): Promise<number> {
  const c = new Client(ks.port, caPem, who);
  try {
    return (
      await c.request(method, path, method === "GET" ? undefined : {}, { "content-type": "application/json" })
    ).status;
  } finally {
    await c.close();
  }
}

/** The parts of the YAML config this test edits. */
interface EditableConfig {
  policy: Record<string, { identities: string[] }>;
  cache?: unknown;
  keys?: { name: string }[];
}

const generate = (who: KesApiKey) => status(who, "PUT", "/v1/key/generate/app-k");
const describe = (name: string) => status(ks.admin, "GET", `/v1/key/describe/${name}`);
const count = (text: string) => ks.process.output().split(text).length - 1;

/** Writes the config with `change` applied and sends SIGHUP; resolves once "config reloaded" is logged. */
async function reloadWith(change: (config: EditableConfig) => void): Promise<void> {
  const config = parse(fs.readFileSync(ks.configFile, "utf8")) as EditableConfig;
  change(config);
  fs.writeFileSync(ks.configFile, stringify(config), { mode: 0o600 });
  const before = count('"msg":"config reloaded"');
  process.kill(ks.process.pid, "SIGHUP");
  await waitUntil("the reload", async () => count('"msg":"config reloaded"') > before, {
    proc: ks.process,
    timeoutMs: 5000,
  });
}

test("GIVEN OpenBao paused and a reload whose keystore part is pending WHEN a second SIGHUP brings a newer config THEN the newer one wins: removed identities denied at once, the superseded keystore part never applied, the newest once", async () => {
  expect(await status(app, "PUT", "/v1/key/create/app-k")).toBe(200);
  expect(await generate(other)).toBe(200);
  const reloadedBefore = count('"msg":"keystore reloaded"');

  process.kill(bao.process.pid, "SIGSTOP");
  // 1st: `other` removed; a cache change (a new keystore login) and a predefined key: keystore work
  await reloadWith((c) => {
    c.policy.app.identities = [app.identity];
    c.cache = { expiry: { any: "4m", unused: "1m" } };
    c.keys = [{ name: "pre-first" }];
  });
  expect(await generate(other)).toBe(403);
  expect(await generate(app)).toBe(200); // the cached key serves while OpenBao is paused

  // 2nd, while the 1st one's login still hangs on the paused OpenBao: `app` removed too, `third` added
  await reloadWith((c) => {
    c.policy.app.identities = [third.identity];
    c.cache = { expiry: { any: "3m", unused: "1m" } };
    c.keys = [{ name: "pre-second" }];
  });
  expect(await generate(app)).toBe(403);
  expect(await generate(other)).toBe(403);
  expect(await generate(third)).toBe(200);

  // resumed within the first reload's request timeout (10 s): its hanging login then succeeds
  process.kill(bao.process.pid, "SIGCONT");
  await waitUntil("the keystore reload", async () => count('"msg":"keystore reloaded"') > reloadedBefore, {
    proc: ks.process,
    timeoutMs: 60_000,
  });
  // long enough for the superseded attempt to finish what its login started (it must not)
  await new Promise((r) => setTimeout(r, 3000));
  expect(count('"msg":"keystore reloaded"') - reloadedBefore).toBe(1);
  expect(await describe("pre-second")).toBe(200);
  expect(await describe("pre-first")).toBe(404);
  expect(await generate(third)).toBe(200);
  expect(await generate(app)).toBe(403);
  expect(await generate(other)).toBe(403);
}, 180_000);
