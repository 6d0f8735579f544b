/**
 * Interop with real KES (v0.24.0 from the test bed) sharing one OpenBao K/V keystore: keys KES creates are
 * read by our VaultKeystore + parseKeyVersion and decrypt KES' ciphertexts; keys we create are used by KES
 * (`kes key dek`, `kes key decrypt`); the same on KES' fs layout. Proves the stored format, paths and crypto
 * are the same.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KeyCache, DEFAULT_CACHE_EXPIRY } from "../../../runtime/src/cache/key-cache";
import { encodeKeyVersion, newKeyVersion, parseKeyVersion } from "../../../runtime/src/crypto/key-version";
import type { KeyAlgorithm } from "../../../runtime/src/crypto/secret-key";
import { FsKeystore } from "../../../runtime/src/keystore/fs";
import { VaultKeystore } from "../../../runtime/src/keystore/vault";
import { testbedBinary } from "../../../scripts/testbed/env";
import { run, startKes, type RunningKeyServer } from "../../../scripts/testbed/kes";
import { createAppRole, startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";

let bao: OpenBaoServer;

/** An AppRole of our own on the same engine and prefix as the KES server. */
function ourAppRole(name: string, hcl: string): Promise<{ id: string; secret: string }> {
  return createAppRole(bao, name, hcl);
}

/** Runs the real `kes` CLI against a server with its admin API key; fails with its stderr on error. */
async function kes(server: RunningKeyServer, ...args: string[]): Promise<Record<string, string>> {
  const res = await run(testbedBinary("kes"), [...args, "-k"], {
    env: { ...process.env, KES_SERVER: server.endpoint, KES_API_KEY: server.adminApiKey },
  });
  if (res.code !== 0) throw new Error(`kes ${args.join(" ")} failed (exit ${res.code}): ${res.stderr}`);
  return res.stdout.trim() === "" ? {} : (JSON.parse(res.stdout) as Record<string, string>);
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  testbedBinary("kes"); // fail loudly when the test bed lacks kes
  bao = await startOpenBao();
}, 120_000);

afterAll(async () => {
  await bao?.stop();
});

describe.each([
  { kvVersion: 1 as const, engine: "kv", version: "v1" as const },
  { kvVersion: 2 as const, engine: "kv2", version: "v2" as const },
])(
  "GIVEN real KES on K/V $version and our VaultKeystore on the same prefix",
  ({ kvVersion, engine, version }) => {
    const prefix = `interop-${version}`;
    let server: RunningKeyServer;
    let store: VaultKeystore;

    beforeAll(async () => {
      server = await startKes({ keystore: { kind: "vault", openbao: bao, kvVersion, engine, prefix } });
      const hcl =
        version === "v1"
          ? `path "${engine}/${prefix}/*" { capabilities = ["create", "read", "delete", "list"] }\npath "${engine}/${prefix}" { capabilities = ["list"] }\n`
          : `path "${engine}/data/${prefix}/*" { capabilities = ["create", "read"] }\npath "${engine}/metadata/${prefix}/*" { capabilities = ["list", "delete"] }\npath "${engine}/metadata/${prefix}" { capabilities = ["list"] }\n`;
      store = await VaultKeystore.connect({
        endpoint: bao.addr,
        engine,
        version,
        prefix,
        approle: await ourAppRole(`ours-${version}`, hcl),
      });
    }, 120_000);

    afterAll(async () => {
      await store?.close();
      await server?.cleanup();
    });

    test("WHEN KES creates a key THEN we read and parse it: 32-byte key, HMAC key, created by KES' admin", async () => {
      await kes(server, "key", "create", "kes-made");
      const kv = parseKeyVersion(await store.get("kes-made"));
      expect(["AES256", "ChaCha20"]).toContain(kv.key.algorithm);
      expect(kv.hmacKey?.length).toBe(32);
      expect(kv.createdBy).toBe(server.admin.identity);
      expect(Math.abs(kv.createdAt.getTime() - Date.now())).toBeLessThan(120_000);
    });

    test("WHEN KES generates a data key with a context THEN we decrypt KES' ciphertext to KES' plaintext", async () => {
      await kes(server, "key", "create", "kes-dek");
      const context = '{"bucket":"bucket/object"}';
      const dek = await kes(server, "key", "dek", "kes-dek", b64(context));
      const kv = parseKeyVersion(await store.get("kes-dek"));
      const plaintext = kv.key.decrypt(Buffer.from(dek.ciphertext, "base64"), Buffer.from(context));
      expect(plaintext.toString("base64")).toBe(dek.plaintext);
      expect(Buffer.from(dek.ciphertext, "base64").length).toBe(76);
    });

    test("WHEN KES encrypts a message THEN our key cache over the Vault keystore decrypts it", async () => {
      await kes(server, "key", "create", "kes-enc");
      const { ciphertext } = await kes(server, "key", "encrypt", "kes-enc", "hello from KES");
      const cache = new KeyCache(store, DEFAULT_CACHE_EXPIRY);
      const kv = await cache.get("kes-enc");
      expect(kv.key.decrypt(Buffer.from(ciphertext, "base64")).toString()).toBe("hello from KES");
    });

    test("WHEN KES lists keys THEN our listing of the same prefix agrees", async () => {
      await kes(server, "key", "create", "list-a");
      await kes(server, "key", "create", "list-b");
      const res = await run(testbedBinary("kes"), ["key", "ls", "--json", "-k", "list"], {
        env: { ...process.env, KES_SERVER: server.endpoint, KES_API_KEY: server.adminApiKey },
      });
      if (res.code !== 0) throw new Error(`kes key ls failed (exit ${res.code}): ${res.stderr}`);
      // A trailing '-' is not a valid pattern, and KES passes any pattern but '*' as a literal prefix.
      // kes prints the JSON array, then (a CLI quirk) the table as well: the first line is the JSON.
      expect(JSON.parse(res.stdout.split("\n")[0])).toEqual(["list-a", "list-b"]);
      expect(await store.list("list")).toEqual(["list-a", "list-b"]);
    });

    test.each(["AES256", "ChaCha20"] as KeyAlgorithm[])(
      "WHEN we create a %s key THEN KES generates data keys with it that we decrypt",
      async (algorithm) => {
        const name = `ours-dek-${algorithm.toLowerCase()}`;
        const kv = newKeyVersion(server.admin.identity, algorithm);
        await store.create(name, encodeKeyVersion(kv));
        const context = '{".minio.sys":".minio.sys/config/config.json"}';
        const dek = await kes(server, "key", "dek", name, b64(context));
        expect(
          kv.key.decrypt(Buffer.from(dek.ciphertext, "base64"), Buffer.from(context)).toString("base64"),
        ).toBe(dek.plaintext);
      },
    );

    test.each(["AES256", "ChaCha20"] as KeyAlgorithm[])(
      "WHEN we encrypt with our %s key THEN `kes key decrypt` returns our plaintext",
      async (algorithm) => {
        const name = `ours-dec-${algorithm.toLowerCase()}`;
        const kv = newKeyVersion(server.admin.identity, algorithm);
        await store.create(name, encodeKeyVersion(kv));
        const context = '{"bucket":"bucket/object"}';
        const ciphertext = kv.key.encrypt(
          Buffer.from("a 32-byte data key, more or less"),
          Buffer.from(context),
        );
        const out = await kes(server, "key", "decrypt", name, ciphertext.toString("base64"), b64(context));
        expect(Buffer.from(out.plaintext, "base64").toString()).toBe("a 32-byte data key, more or less");
      },
    );

    test("fails when KES decrypts our ciphertext under another context, with KES' ErrDecrypt", async () => {
      const kv = newKeyVersion(server.admin.identity);
      await store.create("ours-wrong-ctx", encodeKeyVersion(kv));
      const ciphertext = kv.key.encrypt(Buffer.from("x"), Buffer.from("{}"));
      await expect(
        kes(server, "key", "decrypt", "ours-wrong-ctx", ciphertext.toString("base64"), b64('{"a":"b"}')),
      ).rejects.toThrow("decryption failed: ciphertext is not authentic");
    });

    test("WHEN KES creates a key that we created first THEN KES reports it exists (same path)", async () => {
      await store.create("ours-first", encodeKeyVersion(newKeyVersion(server.admin.identity)));
      await expect(kes(server, "key", "create", "ours-first")).rejects.toThrow("key already exists");
    });
  },
);

describe("GIVEN real KES on an fs keystore and our FsKeystore on the same directory", () => {
  let server: RunningKeyServer;
  let store: FsKeystore;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fs-interop-"));
    server = await startKes({ keystore: { kind: "fs", fsPath: dir } });
    store = new FsKeystore(dir);
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("WHEN KES creates a key THEN it is one file named by the key that we parse and decrypt with", async () => {
    await kes(server, "key", "create", "fs-kes");
    expect(fs.readdirSync(dir)).toContain("fs-kes");
    const dek = await kes(server, "key", "dek", "fs-kes");
    const kv = parseKeyVersion(await store.get("fs-kes"));
    expect(kv.key.decrypt(Buffer.from(dek.ciphertext, "base64")).toString("base64")).toBe(dek.plaintext);
  });

  test("WHEN we create a key file THEN KES decrypts our ciphertext with it", async () => {
    const kv = newKeyVersion(server.admin.identity, "ChaCha20");
    await store.create("fs-ours", encodeKeyVersion(kv));
    const ciphertext = kv.key.encrypt(Buffer.from("from our fs keystore"));
    const out = await kes(server, "key", "decrypt", "fs-ours", ciphertext.toString("base64"));
    expect(Buffer.from(out.plaintext, "base64").toString()).toBe("from our fs keystore");
  });
});
