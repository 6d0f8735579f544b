/**
 * VaultKeystore when Vault misbehaves, against real OpenBao dev servers: sealed and unsealed again,
 * stopped under a key cache (offline mode with real keystore errors), and reached over TLS with a CA.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { ManualClock } from "../../../runtime/src/cache/clock";
import { KeyCache } from "../../../runtime/src/cache/key-cache";
import { encodeKeyVersion, newKeyVersion } from "../../../runtime/src/crypto/key-version";
import { KeystoreUnreachableError } from "../../../runtime/src/keystore/keystore";
import { VaultKeystore } from "../../../runtime/src/keystore/vault";
import { testbedBinary } from "../../../scripts/testbed/env";
import {
  createAppRole,
  mustSucceed,
  startOpenBao,
  type OpenBaoServer,
  type VaultResponse,
} from "../../../scripts/testbed/openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../../scripts/testbed/process";

/** kv v1 at "kv" and an AppRole allowed on kv/<prefix>; returns its credentials. */
async function prepare(
  bao: Pick<OpenBaoServer, "request">,
  prefix: string,
): Promise<{ id: string; secret: string }> {
  await mustSucceed("kv", bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }));
  await mustSucceed("approle", bao.request("POST", "sys/auth/approle", { type: "approle" }));
  const hcl = `path "kv/${prefix}/*" { capabilities = ["create", "read", "delete", "list"] }\n`;
  return createAppRole(bao, "kes", hcl);
}

const encoded = () => encodeKeyVersion(newKeyVersion("test"));
const flush = () => new Promise((r) => setTimeout(r, 50));

describe("GIVEN a VaultKeystore on an OpenBao that gets sealed", () => {
  let bao: OpenBaoServer;
  let store: VaultKeystore;

  beforeAll(async () => {
    bao = await startOpenBao();
    store = await VaultKeystore.connect({
      endpoint: bao.addr,
      prefix: "sealed",
      approle: await prepare(bao, "sealed"),
    });
    await store.create("k", encoded());
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await bao?.stop();
  });

  test("WHEN sealed THEN status fails with KeystoreUnreachableError, reads fail as sealed, and after unseal both work", async () => {
    // The dev server prints its unseal key in a banner, possibly after it answers health checks.
    await waitUntil("the dev server's unseal key", async () => /Unseal Key: \S+/.test(bao.process.output()), {
      proc: bao.process,
    });
    const unsealKey = /Unseal Key: (\S+)/.exec(bao.process.output())![1];
    await mustSucceed("seal", bao.request("PUT", "sys/seal", {}));
    await expect(store.status()).rejects.toThrow(
      new KeystoreUnreachableError(`vault: key store is sealed (${bao.addr})`),
    );
    await expect(store.get("k")).rejects.toThrow(`vault: key store is sealed (${bao.addr})`);
    await mustSucceed("unseal", bao.request("PUT", "sys/unseal", { key: unsealKey }));
    expect((await store.status()).latencyMs).toBeGreaterThan(0);
    expect((await store.get("k")).length).toBeGreaterThan(0);
  });
});

describe("GIVEN a key cache over a VaultKeystore whose OpenBao stops", () => {
  test("WHEN the status check fails THEN the cache is offline, status fails at once, and cached keys keep serving until the offline expiry", async () => {
    const bao = await startOpenBao();
    const clock = new ManualClock();
    let cache: KeyCache | undefined;
    try {
      const store = await VaultKeystore.connect({
        endpoint: bao.addr,
        prefix: "offline",
        approle: await prepare(bao, "offline"),
      });
      cache = new KeyCache(store, { anyMs: 60_000, unusedMs: 20_000, offlineMs: 300_000 }, clock);
      await store.create("cached", encoded());
      await store.create("uncached", encoded());
      const kv = await cache.get("cached");

      await bao.stop();
      clock.advance(10_000); // the status check runs against the stopped OpenBao
      for (let i = 0; i < 40 && !cache.isOffline; i++) await flush();
      expect(cache.isOffline).toBe(true);
      await expect(cache.status()).rejects.toThrow(new KeystoreUnreachableError("keystore is offline"));

      clock.advance(120_000); // any and unused ticks pass: ignored while offline
      await flush();
      expect((await cache.get("cached")).key.bytes()).toEqual(kv.key.bytes());
      await expect(cache.get("uncached")).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);

      clock.advance(180_000); // the offline tick at 300 s drops everything
      await flush();
      await expect(cache.get("cached")).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
    } finally {
      await cache?.close();
      await bao.stop();
    }
  });
});

describe("GIVEN OpenBao with TLS (dev-tls, its own CA)", () => {
  let proc: ManagedProcess;
  let addr: string;
  let certDir: string;
  const rootToken = `root-${randomBytes(16).toString("hex")}`;

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-bao-tls-"));
    const port = await freePort();
    addr = `https://127.0.0.1:${port}`;
    proc = startProcess("openbao-tls", testbedBinary("bao"), [
      "server",
      "-dev",
      "-dev-tls",
      `-dev-tls-cert-dir=${certDir}`,
      `-dev-root-token-id=${rootToken}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
      "-log-level=warn",
    ]);
    await waitUntil(
      "OpenBao with TLS",
      async () => fs.existsSync(path.join(certDir, "vault-ca.pem")) && /Root Token/.test(proc.output()),
      { proc },
    );
  }, 120_000);

  afterAll(async () => {
    await proc?.stop();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test("WHEN the keystore trusts the CA file THEN it logs in and stores a key over HTTPS", async () => {
    // startOpenBao speaks plain HTTP: set the AppRole up with a small HTTPS caller trusting the CA.
    const https = await import("node:https");
    const ca = fs.readFileSync(path.join(certDir, "vault-ca.pem"));
    const call = (method: string, p: string, body?: unknown) =>
      new Promise<VaultResponse>((resolve, reject) => {
        const req = https.request(
          `${addr}/v1/${p}`,
          { method, ca, headers: { "X-Vault-Token": rootToken } },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
            );
          },
        );
        req.on("error", reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    await waitUntil("OpenBao TLS health", async () => (await call("GET", "sys/health")).status === 200, {
      proc,
    });
    const approle = await prepare({ request: (m, p, b) => call(m, p, b) }, "tls");
    const store = await VaultKeystore.connect({
      endpoint: addr,
      prefix: "tls",
      approle,
      tls: { ca: path.join(certDir, "vault-ca.pem") },
    });
    try {
      await store.create("over-tls", encoded());
      expect((await call("GET", "kv/tls/over-tls")).body.data["over-tls"]).toMatch(/^Ci/);
      expect((await store.status()).latencyMs).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  test("fails when the keystore does not trust the CA, with the TLS error", async () => {
    await expect(
      VaultKeystore.connect({ endpoint: addr, approle: { id: "x", secret: "y" } }),
    ).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
  });
});
