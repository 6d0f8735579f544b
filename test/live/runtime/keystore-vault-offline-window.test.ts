/**
 * The offline window on the wall clock (issue 11, defect 3): a key cache over a VaultKeystore whose
 * OpenBao stops 5 s after the cache started keeps its keys for `offline` after the first failed keystore
 * call, not until a ticker started with the cache happens to fire (KES' free-running ticker would drop
 * them 7 s into this outage, at 12 s).
 */
import { KeyCache } from "../../../runtime/src/cache/key-cache";
import { encodeKeyVersion, newKeyVersion } from "../../../runtime/src/crypto/key-version";
import { VaultKeystore } from "../../../runtime/src/keystore/vault";
import { createAppRole, mustSucceed, startOpenBao } from "../../../scripts/testbed/openbao";

const OFFLINE_MS = 12_000;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

test("GIVEN offline 12 s and an outage 5 s after start WHEN keys are read THEN the cached key serves until 12 s after the first failed call, then is dropped", async () => {
  const bao = await startOpenBao();
  let cache: KeyCache | undefined;
  try {
    await mustSucceed("kv", bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }));
    await mustSucceed("approle", bao.request("POST", "sys/auth/approle", { type: "approle" }));
    const approle = await createAppRole(
      bao,
      "kes",
      'path "kv/window/*" { capabilities = ["create", "read", "delete", "list"] }\n',
    );
    const store = await VaultKeystore.connect({ endpoint: bao.addr, prefix: "window", approle });
    await store.create("cached", encodeKeyVersion(newKeyVersion("test")));
    await store.create("uncached", encodeKeyVersion(newKeyVersion("test")));
    const start = Date.now();
    cache = new KeyCache(store, { anyMs: 3_600_000, unusedMs: 0, offlineMs: OFFLINE_MS });
    await cache.get("cached");

    await sleepUntil(start + 5_000);
    await bao.stop();
    await expect(cache.get("uncached")).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
    const outage = Date.now(); // the first failed keystore call

    await sleepUntil(start + 14_500); // past the 12 s tick a start-based ticker drops the keys at
    await expect(cache.get("cached")).resolves.toBeDefined();

    let dropped = 0;
    while (!dropped && Date.now() - outage < OFFLINE_MS + 5_000) {
      try {
        await cache.get("cached");
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        dropped = Date.now();
      }
    }
    const observed = dropped - outage;
    process.stdout.write(`offline window: configured ${OFFLINE_MS} ms, observed ${observed} ms\n`);
    expect(observed).toBeGreaterThanOrEqual(OFFLINE_MS - 200);
    expect(observed).toBeLessThanOrEqual(OFFLINE_MS + 1_200);
  } finally {
    await cache?.close();
    await bao.stop();
  }
}, 120_000);
