/**
 * VaultKeystore against a real OpenBao dev server: K/V v1 and v2 paths and bodies exactly as KES writes
 * them, prefixes, namespaces (with the auth namespace override), AppRole login, token renewal, re-login
 * after revocation, transit wrapping and unreachable status.
 */
import { ErrKeyExists, ErrKeyNotFound } from "../../../runtime/src/errors";
import { encodeKeyVersion, newKeyVersion, parseKeyVersion } from "../../../runtime/src/crypto/key-version";
import { KeystoreUnreachableError } from "../../../runtime/src/keystore/keystore";
import { VaultKeystore, type VaultKeystoreOptions } from "../../../runtime/src/keystore/vault";
import {
  createAppRole,
  mustSucceed,
  startOpenBao,
  type OpenBaoServer,
} from "../../../scripts/testbed/openbao";

let bao: OpenBaoServer;
const opened: VaultKeystore[] = [];

/** Creates an AppRole role with `policy` (HCL) and returns its role-id and a fresh secret-id. */
function appRole(
  name: string,
  hcl: string,
  tokenOptions: Record<string, unknown> = { token_period: "300s" },
  namespace?: string,
): Promise<{ id: string; secret: string }> {
  return createAppRole(bao, name, hcl, { tokenOptions, namespace });
}

const V1_POLICY = (engine: string, prefix: string) =>
  `path "${engine}/${prefix}/*" { capabilities = ["create", "read", "delete", "list"] }\npath "${engine}/${prefix}" { capabilities = ["list"] }\n`;
const V2_POLICY = (engine: string, prefix: string) =>
  `path "${engine}/data/${prefix}/*" { capabilities = ["create", "read"] }\n` +
  `path "${engine}/metadata/${prefix}/*" { capabilities = ["list", "delete"] }\npath "${engine}/metadata/${prefix}" { capabilities = ["list"] }\n`;

async function connect(options: Omit<VaultKeystoreOptions, "endpoint">): Promise<VaultKeystore> {
  const store = await VaultKeystore.connect({ endpoint: bao.addr, ...options });
  opened.push(store);
  return store;
}

const encoded = () =>
  encodeKeyVersion(newKeyVersion("a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  bao = await startOpenBao();
  await mustSucceed(
    "enable kv v1",
    bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }),
  );
  await mustSucceed(
    "enable kv v2",
    bao.request("POST", "sys/mounts/kv2", { type: "kv", options: { version: "2" } }),
  );
  await mustSucceed("enable approle", bao.request("POST", "sys/auth/approle", { type: "approle" }));
  await mustSucceed("enable transit", bao.request("POST", "sys/mounts/transit", { type: "transit" }));
  await mustSucceed("transit key", bao.request("POST", "transit/keys/kes-wrap", {}));
}, 120_000);

afterAll(async () => {
  for (const s of opened) await s.close();
  await bao?.stop();
});

describe("VaultKeystore on K/V v1", () => {
  test("GIVEN a prefix WHEN a key is created THEN OpenBao holds exactly {name: base64 protobuf} at kv/<prefix>/<name>", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-a",
      approle: await appRole("v1-a", V1_POLICY("kv", "tenant-a")),
    });
    const value = encoded();
    await store.create("my-key", value);
    const raw = await mustSucceed("read raw", bao.request("GET", "kv/tenant-a/my-key"));
    expect(raw.body.data).toEqual({ "my-key": Buffer.from(value).toString("ascii") });
    expect(parseKeyVersion(Buffer.from(raw.body.data["my-key"])).createdBy).toHaveLength(64);
  });

  test("GIVEN a created key WHEN read THEN the stored value comes back byte for byte", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-b",
      approle: await appRole("v1-b", V1_POLICY("kv", "tenant-b")),
    });
    const value = encoded();
    await store.create("k", value);
    expect(Buffer.from(await store.get("k"))).toEqual(Buffer.from(value));
  });

  test("fails when creating a key that exists with ErrKeyExists, keeping the first value", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-c",
      approle: await appRole("v1-c", V1_POLICY("kv", "tenant-c")),
    });
    const first = encoded();
    await store.create("k", first);
    await expect(store.create("k", encoded())).rejects.toBe(ErrKeyExists);
    expect(Buffer.from(await store.get("k"))).toEqual(Buffer.from(first));
  });

  test("fails when reading a missing key with ErrKeyNotFound", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-d",
      approle: await appRole("v1-d", V1_POLICY("kv", "tenant-d")),
    });
    await expect(store.get("nope")).rejects.toBe(ErrKeyNotFound);
  });

  test("GIVEN keys in two prefixes WHEN listed THEN only this prefix's names come, sorted and filtered", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-e",
      approle: await appRole("v1-e", V1_POLICY("kv", "tenant-e")),
    });
    await mustSucceed("foreign key", bao.request("PUT", "kv/tenant-other/x-1", { "x-1": "v" }));
    expect(await store.list("")).toEqual([]);
    for (const n of ["x-2", "x-1", "y-1"]) await store.create(n, encoded());
    expect(await store.list("")).toEqual(["x-1", "x-2", "y-1"]);
    expect(await store.list("x-")).toEqual(["x-1", "x-2"]);
  });

  test("GIVEN a key WHEN deleted THEN OpenBao no longer has it and a second delete is not an error", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-f",
      approle: await appRole("v1-f", V1_POLICY("kv", "tenant-f")),
    });
    await store.create("k", encoded());
    await store.delete("k");
    expect((await bao.request("GET", "kv/tenant-f/k")).status).toBe(404);
    await expect(store.delete("k")).resolves.toBeUndefined();
  });

  test("GIVEN no prefix WHEN a key is created THEN it sits at the engine root", async () => {
    const store = await connect({
      engine: "kv",
      approle: await appRole(
        "v1-root",
        `path "kv/*" { capabilities = ["create", "read", "list"] }\npath "kv" { capabilities = ["list"] }\n`,
      ),
    });
    await store.create("root-key", encoded());
    expect((await mustSucceed("read raw", bao.request("GET", "kv/root-key"))).body.data["root-key"]).toMatch(
      /^Ci/,
    );
    expect(await store.list("root-")).toEqual(["root-key"]);
  });

  test("fails when the policy denies the path, with Vault's status and error", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "tenant-g",
      approle: await appRole("v1-g", V1_POLICY("kv", "other")),
    });
    await expect(store.create("k", encoded())).rejects.toThrow(
      "vault: failed to create 'kv/tenant-g/k': 403 permission denied",
    );
  });
});

describe("VaultKeystore on K/V v2", () => {
  test("GIVEN a key WHEN created THEN kv2/data/<prefix>/<name> version 1 holds exactly {name: value}", async () => {
    const store = await connect({
      engine: "kv2",
      version: "v2",
      prefix: "tenant-a",
      approle: await appRole("v2-a", V2_POLICY("kv2", "tenant-a")),
    });
    const value = encoded();
    await store.create("my-key", value);
    const raw = await mustSucceed("read raw", bao.request("GET", "kv2/data/tenant-a/my-key?version=1"));
    expect(raw.body.data.data).toEqual({ "my-key": Buffer.from(value).toString("ascii") });
    expect(raw.body.data.metadata.version).toBe(1);
    expect(Buffer.from(await store.get("my-key"))).toEqual(Buffer.from(value));
  });

  test("fails when creating a key that exists with ErrKeyExists (no update capability needed)", async () => {
    const store = await connect({
      engine: "kv2",
      version: "v2",
      prefix: "tenant-b",
      approle: await appRole("v2-b", V2_POLICY("kv2", "tenant-b")),
    });
    await store.create("k", encoded());
    await expect(store.create("k", encoded())).rejects.toBe(ErrKeyExists);
  });

  test("GIVEN a second version written behind KES' back WHEN read THEN version 1 is returned, as KES does", async () => {
    const store = await connect({
      engine: "kv2",
      version: "v2",
      prefix: "tenant-c",
      approle: await appRole("v2-c", V2_POLICY("kv2", "tenant-c")),
    });
    const first = encoded();
    await store.create("k", first);
    await mustSucceed("write v2", bao.request("PUT", "kv2/data/tenant-c/k", { data: { k: "overwritten" } }));
    expect(Buffer.from(await store.get("k"))).toEqual(Buffer.from(first));
  });

  test("GIVEN keys WHEN listed and one deleted THEN the metadata (all versions) is gone", async () => {
    const store = await connect({
      engine: "kv2",
      version: "v2",
      prefix: "tenant-d",
      approle: await appRole("v2-d", V2_POLICY("kv2", "tenant-d")),
    });
    for (const n of ["b", "a", "c"]) await store.create(n, encoded());
    expect(await store.list("")).toEqual(["a", "b", "c"]);
    await store.delete("b");
    expect((await bao.request("GET", "kv2/metadata/tenant-d/b")).status).toBe(404);
    expect(await store.list("")).toEqual(["a", "c"]);
    await expect(store.get("b")).rejects.toBe(ErrKeyNotFound);
  });
});

describe("VaultKeystore in a namespace", () => {
  beforeAll(async () => {
    await mustSucceed("create namespace", bao.request("POST", "sys/namespaces/tenant-ns", {}));
    const ns = "tenant-ns";
    await mustSucceed(
      "enable kv in ns",
      bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }, { namespace: ns }),
    );
    await mustSucceed(
      "enable approle in ns",
      bao.request("POST", "sys/auth/approle", { type: "approle" }, { namespace: ns }),
    );
  });

  test("GIVEN an AppRole in the namespace WHEN a key is created THEN it lands in the namespace's kv, not the root's", async () => {
    const approle = await appRole("ns-role", V1_POLICY("kv", "keys"), { token_period: "300s" }, "tenant-ns");
    const store = await connect({ namespace: "tenant-ns", engine: "kv", prefix: "keys", approle });
    const value = encoded();
    await store.create("ns-key", value);
    const raw = await mustSucceed(
      "read raw in ns",
      bao.request("GET", "kv/keys/ns-key", undefined, { namespace: "tenant-ns" }),
    );
    expect(raw.body.data).toEqual({ "ns-key": Buffer.from(value).toString("ascii") });
    expect((await bao.request("GET", "kv/keys/ns-key")).status).toBe(404);
    expect(await store.list("")).toEqual(["ns-key"]);
  });

  test("GIVEN an AppRole in the root namespace (auth namespace '/') WHEN used for a namespaced kv THEN it works", async () => {
    const approle = await appRole("root-for-ns", V1_POLICY("tenant-ns/kv", "root-keys"));
    const store = await connect({
      namespace: "tenant-ns",
      engine: "kv",
      prefix: "root-keys",
      approle: { ...approle, namespace: "/" },
    });
    await store.create("k", encoded());
    expect((await bao.request("GET", "kv/root-keys/k", undefined, { namespace: "tenant-ns" })).status).toBe(
      200,
    );
  });

  test("GIVEN a namespace WHEN status is asked THEN health is checked without the namespace and succeeds", async () => {
    const approle = await appRole(
      "ns-status",
      V1_POLICY("kv", "keys"),
      { token_period: "300s" },
      "tenant-ns",
    );
    const store = await connect({ namespace: "tenant-ns", engine: "kv", prefix: "keys", approle });
    expect((await store.status()).latencyMs).toBeGreaterThan(0);
  });
});

describe("VaultKeystore login and token lifecycle", () => {
  test("fails when the AppRole secret-id is wrong, without printing it", async () => {
    const { id } = await appRole("bad-login", V1_POLICY("kv", "x"));
    const secret = "00000000-1111-2222-3333-444444444444";
    let message = "";
    try {
      await connect({ engine: "kv", approle: { id, secret } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^vault: login at "auth\/approle\/login" failed: 400 /);
    expect(message).not.toContain(secret);
  });

  test("fails when neither approle nor kubernetes is given, naming both fields", async () => {
    await expect(connect({ engine: "kv" })).rejects.toThrow(
      "vault keystore needs exactly one of approle and kubernetes, got neither",
    );
  });

  test("GIVEN a periodic token of 3 s WHEN 4 periods pass THEN renew-self keeps it alive (a raw login's token dies)", async () => {
    const approle = await appRole("periodic", V1_POLICY("kv", "periodic"), { token_period: "3s" });
    const store = await connect({ engine: "kv", prefix: "periodic", approle });
    await store.create("k", encoded());
    const raw = await mustSucceed(
      "raw login",
      bao.request(
        "PUT",
        "auth/approle/login",
        { role_id: approle.id, secret_id: approle.secret },
        { token: "" },
      ),
    );
    const rawToken = raw.body.auth.client_token;
    await sleep(12_000);
    expect((await bao.request("GET", "kv/periodic/k", undefined, { token: rawToken })).status).toBe(403);
    expect((await store.get("k")).length).toBeGreaterThan(0);
    const accessors = await mustSucceed("accessors", bao.request("LIST", "auth/token/accessors"));
    expect(accessors.body.data.keys.length).toBeGreaterThan(0);
  }, 60_000);

  test("GIVEN a token with a 3 s max TTL WHEN 4 lifetimes pass THEN the keystore logs in again and keeps working", async () => {
    const approle = await appRole("max-ttl", V1_POLICY("kv", "max-ttl"), {
      token_ttl: "3s",
      token_max_ttl: "3s",
    });
    const store = await connect({ engine: "kv", prefix: "max-ttl", approle });
    await store.create("k", encoded());
    await sleep(12_000);
    expect((await store.get("k")).length).toBeGreaterThan(0);
  }, 60_000);

  test("GIVEN the keystore's token is revoked WHEN it is used THEN it logs in again and the request succeeds", async () => {
    const approle = await appRole("revoked", V1_POLICY("kv", "revoked"), { token_period: "300s" });
    const store = await connect({ engine: "kv", prefix: "revoked", approle });
    await store.create("k", encoded());
    await mustSucceed(
      "revoke approle tokens",
      bao.request("PUT", "sys/leases/revoke-prefix/auth/approle/login", {}),
    );
    expect((await store.get("k")).length).toBeGreaterThan(0);
    await store.create("k2", encoded());
  });
});

describe("VaultKeystore permission errors", () => {
  test("GIVEN a valid token and a policy denial WHEN requests repeat THEN no new login happens", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "denied",
      approle: await appRole("denied", V1_POLICY("kv", "elsewhere")),
    });
    // Tokens of this role only: other tests' keystores keep logging in and renewing meanwhile.
    const count = async () => {
      const accessors = (await mustSucceed("accessors", bao.request("LIST", "auth/token/accessors"))).body
        .data.keys as string[];
      let n = 0;
      for (const accessor of accessors) {
        const info = await bao.request("POST", "auth/token/lookup-accessor", { accessor });
        if (info.body?.data?.meta?.role_name === "denied") n++;
      }
      return n;
    };
    const before = await count();
    expect(before).toBe(1);
    for (let i = 0; i < 5; i++) await expect(store.get("k")).rejects.toThrow("403 permission denied");
    expect(await count()).toBe(before);
  });
});

describe("VaultKeystore with transit wrapping", () => {
  const TRANSIT_POLICY = `${V1_POLICY("kv", "wrapped")}path "transit/encrypt/kes-wrap" { capabilities = ["update"] }\npath "transit/decrypt/kes-wrap" { capabilities = ["update"] }\n`;

  test("GIVEN a transit key WHEN a key is created THEN OpenBao holds a vault:v1: ciphertext of the base64 value", async () => {
    const store = await connect({
      engine: "kv",
      prefix: "wrapped",
      transit: { key: "kes-wrap" },
      approle: await appRole("transit", TRANSIT_POLICY),
    });
    const value = encoded();
    await store.create("w", value);
    const stored = (await mustSucceed("read raw", bao.request("GET", "kv/wrapped/w"))).body.data.w as string;
    expect(stored).toMatch(/^vault:v1:/);
    const plain = await mustSucceed(
      "decrypt",
      bao.request("POST", "transit/decrypt/kes-wrap", { ciphertext: stored }),
    );
    expect(Buffer.from(plain.body.data.plaintext, "base64")).toEqual(Buffer.from(value));
    expect(Buffer.from(await store.get("w"))).toEqual(Buffer.from(value));
  });

  test("fails when a wrapped key is read without transit configured, saying so", async () => {
    const writer = await connect({
      engine: "kv",
      prefix: "wrapped",
      transit: { key: "kes-wrap" },
      approle: await appRole("transit-w", TRANSIT_POLICY),
    });
    await writer.create("w2", encoded());
    const reader = await connect({
      engine: "kv",
      prefix: "wrapped",
      approle: await appRole("transit-r", TRANSIT_POLICY),
    });
    await expect(reader.get("w2")).rejects.toThrow(
      "the key is wrapped by a transit key: set keystore.vault.transit",
    );
  });

  test("fails when the transit key was rotated (vault:v2:), refusing to create", async () => {
    await mustSucceed("rotating key", bao.request("POST", "transit/keys/rotated", {}));
    await mustSucceed("rotate", bao.request("POST", "transit/keys/rotated/rotate", {}));
    const hcl = `${V1_POLICY("kv", "rotated")}path "transit/encrypt/rotated" { capabilities = ["update"] }\n`;
    const store = await connect({
      engine: "kv",
      prefix: "rotated",
      transit: { key: "rotated" },
      approle: await appRole("rotated", hcl),
    });
    await expect(store.create("r", encoded())).rejects.toThrow(
      "KES handles only version 1 of a transit key, do not rotate it",
    );
    expect((await bao.request("GET", "kv/rotated/r")).status).toBe(404);
  });
});

describe("VaultKeystore status", () => {
  test("GIVEN a running OpenBao WHEN status is asked THEN it reports a latency", async () => {
    const store = await connect({ engine: "kv", approle: await appRole("status", V1_POLICY("kv", "s")) });
    expect((await store.status()).latencyMs).toBeGreaterThan(0);
  });

  test("fails with KeystoreUnreachableError when OpenBao is stopped", async () => {
    const own = await startOpenBao();
    try {
      await mustSucceed("enable approle", own.request("POST", "sys/auth/approle", { type: "approle" }));
      await mustSucceed("role", own.request("POST", "auth/approle/role/r", { token_period: "300s" }));
      const id = (await mustSucceed("role-id", own.request("GET", "auth/approle/role/r/role-id"))).body.data
        .role_id;
      const secret = (
        await mustSucceed("secret-id", own.request("POST", "auth/approle/role/r/secret-id", {}))
      ).body.data.secret_id;
      const store = await VaultKeystore.connect({ endpoint: own.addr, approle: { id, secret } });
      opened.push(store);
      await own.stop();
      await expect(store.status()).rejects.toBeInstanceOf(KeystoreUnreachableError);
      await expect(store.status()).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/);
    } finally {
      await own.stop();
    }
  });
});
