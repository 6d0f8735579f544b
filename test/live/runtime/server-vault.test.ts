/**
 * The bundled key server against a real OpenBao (K/V v1, AppRole): keys land where KES puts them, and
 * /v1/ready and /v1/status report an unreachable keystore as KES-PROTOCOL §2.2 says.
 */
import * as fs from "node:fs";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { startKeyServer, type RunningKeyServer } from "../../../scripts/testbed/kes";
import { Client, kesError } from "./server-helpers";

let bao: OpenBaoServer;
let ks: RunningKeyServer;
let c: Client;

beforeAll(async () => {
  bao = await startOpenBao();
  ks = await startKeyServer("ours", {
    keystore: { kind: "vault", openbao: bao, kvVersion: 1, engine: "kv", prefix: "tenant-a" },
  });
  c = new Client(ks.port, fs.readFileSync(ks.caFile, "utf8"), ks.admin);
});

afterAll(async () => {
  await c?.close();
  await ks?.cleanup();
  await bao?.stop();
});

test("GIVEN a vault keystore WHEN a key is created THEN it is stored at kv/tenant-a/<name> under the field <name>", async () => {
  expect((await c.request("POST", "/v1/key/create/vault-key")).status).toBe(200);
  const r = await bao.request("GET", "kv/tenant-a/vault-key");
  expect(r.status).toBe(200);
  expect(typeof r.body.data["vault-key"]).toBe("string");
});

test("GIVEN a vault key WHEN generating and decrypting THEN the data key round-trips", async () => {
  await c.request("POST", "/v1/key/create/vault-dek");
  const g = (
    await c.request("POST", "/v1/key/generate/vault-dek", { context: Buffer.from("{}").toString("base64") })
  ).json();
  const d = (
    await c.request("POST", "/v1/key/decrypt/vault-dek", {
      ciphertext: g.ciphertext,
      context: Buffer.from("{}").toString("base64"),
    })
  ).json();
  expect(d.plaintext).toBe(g.plaintext);
});

test("GIVEN vault keys WHEN listing THEN the names come from Vault", async () => {
  expect((await c.request("GET", "/v1/key/list/vault-%2A")).json().names).toEqual(
    expect.arrayContaining(["vault-key", "vault-dek"]),
  );
});

test("GIVEN a reachable vault WHEN GET /v1/ready THEN 200", async () => {
  expect((await c.request("GET", "/v1/ready")).status).toBe(200);
});

test("GIVEN vault stopped WHEN GET /v1/ready and /v1/status THEN 504 `key store is not reachable` and both unreachable flags", async () => {
  await bao.stop();
  const ready = await c.request("GET", "/v1/ready");
  expect([ready.status, ready.body.toString()]).toEqual([504, kesError("key store is not reachable")]);
  const status = (await c.request("GET", "/v1/status")).json();
  expect([status.keystore_unreachable, status.keystore_unavailable, status.keystore_latency]).toEqual([
    true,
    true,
    undefined,
  ]);
  const create = await c.request("POST", "/v1/key/create/while-down");
  expect([create.status, create.body.toString()]).toEqual([502, kesError("failed to create key")]);
});
