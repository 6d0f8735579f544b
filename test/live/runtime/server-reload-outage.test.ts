/**
 * Reload while the Vault keystore is down (issue 11, defect 4), on the built key server process with a
 * real OpenBao that is paused (SIGSTOP: requests to it hang, its data survives) and resumed: policy and
 * identity changes apply at once, without the keystore; the keystore part of the reload is retried
 * until OpenBao answers again, with no second SIGHUP.
 */
import * as fs from "node:fs";
import { parse, stringify } from "yaml";
import { newApiKey, startKeyServer, type RunningKeyServer } from "../../../scripts/testbed/kes";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { waitUntil } from "../../../scripts/testbed/process";
import { Client } from "./server-helpers";

const app = newApiKey();
let bao: OpenBaoServer;
let ks: RunningKeyServer;
let caPem: string;

beforeAll(async () => {
  bao = await startOpenBao();
  ks = await startKeyServer("ours", {
    keystore: { kind: "vault", openbao: bao, prefix: "reload" },
    policies: {
      app: {
        allow: ["/v1/key/create/app-*", "/v1/key/generate/app-*"],
        identities: [app.identity],
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

async function status(path: string): Promise<number> {
  const c = new Client(ks.port, caPem, app);
  try {
    return (await c.request("PUT", path, {}, { "content-type": "application/json" })).status;
  } finally {
    await c.close();
  }
}

test("GIVEN OpenBao paused WHEN an identity is removed from its policy and the cache settings change, then SIGHUP THEN it is denied at once, and the keystore part is retried until OpenBao is back", async () => {
  expect(await status("/v1/key/create/app-k")).toBe(200);
  expect(await status("/v1/key/generate/app-k")).toBe(200);

  process.kill(bao.process.pid, "SIGSTOP");
  const config = parse(fs.readFileSync(ks.configFile, "utf8"));
  config.policy.app.identities = [];
  config.cache = { expiry: { any: "4m", unused: "1m" } }; // a keystore change: needs a new login
  fs.writeFileSync(ks.configFile, stringify(config), { mode: 0o600 });
  const before = ks.process.output().split('"msg":"config reloaded"').length;
  process.kill(ks.process.pid, "SIGHUP");
  await waitUntil(
    "the reload",
    async () => ks.process.output().split('"msg":"config reloaded"').length > before,
    { proc: ks.process, timeoutMs: 5000 },
  );
  // the cached key would still serve: only authorization can say no
  expect(await status("/v1/key/generate/app-k")).toBe(403);
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
  expect(await status("/v1/key/generate/app-k")).toBe(403);
}, 180_000);
