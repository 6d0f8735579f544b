/**
 * Interop with real KES on the Vault options the shared fixture does not set up: transit wrapping
 * (KES wraps base64 of the stored text with `vault:v1:`; both servers must unwrap each other's entries)
 * and a K/V v2 engine inside a namespace with an AppRole in the root namespace (auth namespace "/").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify as toYaml } from "yaml";
import { encodeKeyVersion, newKeyVersion, parseKeyVersion } from "../../../runtime/src/crypto/key-version";
import { VaultKeystore, type VaultKeystoreOptions } from "../../../runtime/src/keystore/vault";
import { testbedBinary } from "../../../scripts/testbed/env";
import {
  apiKeyCertificate,
  kesIdentityFiles,
  newApiKey,
  probeVersion,
  renderKeyServerConfig,
  run,
  type KesApiKey,
} from "../../../scripts/testbed/kes";
import {
  createAppRole,
  mustSucceed,
  startOpenBao,
  type OpenBaoServer,
} from "../../../scripts/testbed/openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../../scripts/testbed/process";

let bao: OpenBaoServer;

function appRole(name: string, hcl: string): Promise<{ id: string; secret: string }> {
  return createAppRole(bao, name, hcl);
}

/** Real KES with `keystore.vault` set to `vault` (KES YAML field names), on a free loopback port. */
class KesServer {
  private constructor(
    readonly endpoint: string,
    readonly admin: KesApiKey,
    private readonly proc: ManagedProcess,
    private readonly dir: string,
  ) {}

  static async start(vault: Record<string, unknown>): Promise<KesServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-kes-vault-"));
    const { keyFile, certFile } = await kesIdentityFiles(dir, "server");
    const admin = newApiKey();
    const port = await freePort();
    const config = renderKeyServerConfig({
      port,
      adminIdentity: admin.identity,
      tlsKey: keyFile,
      tlsCert: certFile,
      keystore: { vault },
    });
    const configFile = path.join(dir, "config.yml");
    fs.writeFileSync(configFile, toYaml(config), { mode: 0o600 });
    const proc = startProcess("kes server", testbedBinary("kes"), ["server", "--config", configFile]);
    const server = new KesServer(`https://127.0.0.1:${port}`, admin, proc, dir);
    try {
      const ca = fs.readFileSync(certFile, "utf8");
      const client = apiKeyCertificate(admin);
      await waitUntil(`kes on ${port}`, async () => (await probeVersion(port, ca, client)) === 200, {
        proc,
        timeoutMs: 60_000,
      });
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Runs the kes CLI as admin; fails with its stderr. */
  async cli(...args: string[]): Promise<Record<string, string>> {
    const res = await run(testbedBinary("kes"), [...args, "-k"], {
      env: { ...process.env, KES_SERVER: this.endpoint, KES_API_KEY: this.admin.apiKey },
    });
    if (res.code !== 0)
      throw new Error(
        `kes ${args.join(" ")} failed (exit ${res.code}): ${res.stderr}\n${this.proc.output().slice(-2000)}`,
      );
    return res.stdout.trim() === "" ? {} : (JSON.parse(res.stdout) as Record<string, string>);
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  testbedBinary("kes");
  bao = await startOpenBao();
  await mustSucceed("approle", bao.request("POST", "sys/auth/approle", { type: "approle" }));
}, 120_000);

afterAll(async () => {
  await bao?.stop();
});

describe("GIVEN real KES and our VaultKeystore sharing a transit-wrapped K/V v1 prefix", () => {
  let kes: KesServer;
  let store: VaultKeystore;
  const hcl =
    `path "kv/wrapped/*" { capabilities = ["create", "read", "delete", "list"] }\n` +
    `path "transit/encrypt/kes-wrap" { capabilities = ["update"] }\npath "transit/decrypt/kes-wrap" { capabilities = ["update"] }\n`;

  beforeAll(async () => {
    await mustSucceed("kv", bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }));
    await mustSucceed("transit", bao.request("POST", "sys/mounts/transit", { type: "transit" }));
    await mustSucceed("transit key", bao.request("POST", "transit/keys/kes-wrap", {}));
    const kesRole = await appRole("kes-transit", hcl);
    kes = await KesServer.start({
      endpoint: bao.addr,
      engine: "kv",
      version: "v1",
      prefix: "wrapped",
      approle: { engine: "approle", ...kesRole },
      transit: { engine: "transit", key: "kes-wrap" },
    });
    store = await VaultKeystore.connect({
      endpoint: bao.addr,
      prefix: "wrapped",
      transit: { key: "kes-wrap" },
      approle: await appRole("ours-transit", hcl),
    });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await kes?.stop();
  });

  test("WHEN KES creates a key THEN OpenBao holds a vault:v1: value and we unwrap and parse it", async () => {
    await kes.cli("key", "create", "kes-wrapped");
    expect(
      (await mustSucceed("raw", bao.request("GET", "kv/wrapped/kes-wrapped"))).body.data["kes-wrapped"],
    ).toMatch(/^vault:v1:/);
    const dek = await kes.cli("key", "dek", "kes-wrapped");
    const kv = parseKeyVersion(await store.get("kes-wrapped"));
    expect(kv.key.decrypt(Buffer.from(dek.ciphertext, "base64")).toString("base64")).toBe(dek.plaintext);
  });

  test("WHEN we create a wrapped key THEN KES unwraps it and decrypts our ciphertext", async () => {
    const kv = newKeyVersion(kes.admin.identity);
    await store.create("ours-wrapped", encodeKeyVersion(kv));
    const ciphertext = kv.key.encrypt(Buffer.from("wrapped secret"));
    const out = await kes.cli("key", "decrypt", "ours-wrapped", ciphertext.toString("base64"));
    expect(Buffer.from(out.plaintext, "base64").toString()).toBe("wrapped secret");
  });
});

describe("GIVEN real KES and our VaultKeystore on K/V v2 in a namespace, logging in at the root namespace", () => {
  let kes: KesServer;
  let store: VaultKeystore;
  const hcl =
    `path "team-ns/kv2/data/keys/*" { capabilities = ["create", "read"] }\n` +
    `path "team-ns/kv2/metadata/keys/*" { capabilities = ["list", "delete"] }\npath "team-ns/kv2/metadata/keys" { capabilities = ["list"] }\n`;

  beforeAll(async () => {
    await mustSucceed("namespace", bao.request("POST", "sys/namespaces/team-ns", {}));
    await mustSucceed(
      "kv2 in ns",
      bao.request(
        "POST",
        "sys/mounts/kv2",
        { type: "kv", options: { version: "2" } },
        { namespace: "team-ns" },
      ),
    );
    const kesRole = await appRole("kes-ns", hcl);
    kes = await KesServer.start({
      endpoint: bao.addr,
      engine: "kv2",
      version: "v2",
      namespace: "team-ns",
      prefix: "keys",
      approle: { engine: "approle", namespace: "/", ...kesRole },
    });
    const options: VaultKeystoreOptions = {
      endpoint: bao.addr,
      engine: "kv2",
      version: "v2",
      namespace: "team-ns",
      prefix: "keys",
      approle: { namespace: "/", ...(await appRole("ours-ns", hcl)) },
    };
    store = await VaultKeystore.connect(options);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await kes?.stop();
  });

  test("WHEN KES creates a key THEN it sits in the namespace and we read it", async () => {
    await kes.cli("key", "create", "ns-kes");
    const raw = await mustSucceed(
      "raw",
      bao.request("GET", "kv2/data/keys/ns-kes?version=1", undefined, { namespace: "team-ns" }),
    );
    expect(Object.keys(raw.body.data.data)).toEqual(["ns-kes"]);
    expect(parseKeyVersion(await store.get("ns-kes")).createdBy).toBe(kes.admin.identity);
  });

  test("WHEN we create a key THEN KES lists it and generates with it", async () => {
    const kv = newKeyVersion(kes.admin.identity, "ChaCha20");
    await store.create("ns-ours", encodeKeyVersion(kv));
    const dek = await kes.cli("key", "dek", "ns-ours");
    expect(kv.key.decrypt(Buffer.from(dek.ciphertext, "base64")).toString("base64")).toBe(dek.plaintext);
    expect(await store.list("ns-")).toEqual(["ns-kes", "ns-ours"]);
  });
});
