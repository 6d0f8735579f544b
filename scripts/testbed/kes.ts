/**
 * Key server fixtures for live tests and benchmarks: real KES from the test bed, or our key server
 * (runtime/dist/keyserver.cjs), started from the same KES-schema YAML config on a free loopback port.
 *
 * Also the KES API-key primitives the fixtures need (API key, identity, self-signed Ed25519 client
 * certificate), written after kms-go/kes apikey.go so that a Node client presents what MinIO presents.
 * @see ../../runtime/src/config/README.md (identities and config schema)
 */
import { execFile } from "node:child_process";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { stringify as toYaml } from "yaml";
import { REPO_ROOT, testbedBinary } from "./env";
import type { OpenBaoServer } from "./openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "./process";

// ---------------------------------------------------------------------------------------------------
// API keys and identities (kms-go/kes apikey.go)
// ---------------------------------------------------------------------------------------------------

/** A KES API key (`kes:v1:` + base64(0x00 || Ed25519 seed)) with what derives from it. */
export interface KesApiKey {
  /** The secret `kes:v1:...` string. Never print it. */
  readonly apiKey: string;
  /** Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: what the server sees. */
  readonly identity: string;
  /** The Ed25519 private key. */
  readonly privateKey: KeyObject;
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Parses a `kes:v1:` API key.
 * @throws Error when the string is not `kes:v1:` followed by base64 of 33 bytes with type byte 0.
 */
export function parseApiKey(apiKey: string): KesApiKey {
  if (!apiKey.startsWith("kes:v1:")) throw new Error(`api key must start with "kes:v1:"`);
  const raw = Buffer.from(apiKey.slice("kes:v1:".length), "base64");
  if (raw.length !== 33 || raw[0] !== 0)
    throw new Error("api key must encode 33 bytes with type 0 (ed25519)");
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(1)]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return { apiKey, identity: createHash("sha256").update(spki).digest("hex"), privateKey };
}

/** A fresh random API key. */
export function newApiKey(): KesApiKey {
  return parseApiKey("kes:v1:" + Buffer.concat([Buffer.from([0]), randomBytes(32)]).toString("base64"));
}

// Minimal DER, enough for one self-signed certificate.
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  let len: Buffer;
  if (body.length < 0x80) len = Buffer.from([body.length]);
  else if (body.length < 0x100) len = Buffer.from([0x81, body.length]);
  else len = Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...c: Buffer[]) => der(0x30, ...c);
const oid = (hex: string) => der(0x06, Buffer.from(hex, "hex"));
const utcTime = (d: Date) =>
  der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z", "ascii"));
const OID_ED25519 = "2b6570";
const OID_COMMON_NAME = "550403";

/**
 * A self-signed Ed25519 X.509 client certificate for an API key, as kms-go's GenerateCertificate makes it:
 * CN = identity, 90 days, digitalSignature, clientAuth, not a CA, no SANs.
 * @returns PEM certificate and PEM PKCS#8 private key (secret: never print it).
 */
export function apiKeyCertificate(key: KesApiKey, validDays = 90): { certPem: string; keyPem: string } {
  const name = seq(der(0x31, seq(oid(OID_COMMON_NAME), der(0x0c, Buffer.from(key.identity, "utf8")))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const now = new Date();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    seq(oid(OID_ED25519)),
    name,
    seq(utcTime(now), utcTime(new Date(now.getTime() + validDays * 86_400_000))),
    name,
    createPublicKey(key.privateKey).export({ type: "spki", format: "der" }),
    der(
      0xa3,
      seq(
        // keyUsage (critical): digitalSignature
        seq(oid("551d0f"), der(0x01, Buffer.from([0xff])), der(0x04, der(0x03, Buffer.from([0x07, 0x80])))),
        // extKeyUsage: clientAuth
        seq(oid("551d25"), der(0x04, seq(oid("2b06010505070302")))),
        // basicConstraints (critical): not a CA
        seq(oid("551d13"), der(0x01, Buffer.from([0xff])), der(0x04, seq())),
      ),
    ),
  );
  const signature = sign(null, tbs, key.privateKey);
  const cert = seq(tbs, seq(oid(OID_ED25519)), der(0x03, Buffer.from([0]), signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${cert
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
  const keyPem = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { certPem, keyPem };
}

/** Identity of the first certificate of a PEM file: hex SHA-256 of its DER SubjectPublicKeyInfo. */
export function certificateIdentity(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

// ---------------------------------------------------------------------------------------------------
// Config (KES YAML schema, KES-PROTOCOL.md §6)
// ---------------------------------------------------------------------------------------------------

/** A policy of the server config. */
export interface PolicySpec {
  readonly allow: readonly string[];
  /** @default [] */
  readonly deny?: readonly string[];
  readonly identities: readonly string[];
}

/** Where the server keeps its keys. */
export interface KeystoreSpec {
  /** `fs`: a fresh temp dir (or `fsPath`); `vault`: K/V on an OpenBao with AppRole. */
  readonly kind: "fs" | "vault";
  /** fs only: directory to use. @default a new directory inside the server's temp dir */
  readonly fsPath?: string;
  /** vault only: the OpenBao to use. */
  readonly openbao?: OpenBaoServer;
  /** vault only: K/V version. @default 1 */
  readonly kvVersion?: 1 | 2;
  /** vault only: mount path, enabled by the fixture when missing. @default "kv" (v1) or "kv2" (v2) */
  readonly engine?: string;
  /** vault only. @default "kes" */
  readonly prefix?: string;
}

/** Options of {@link startKeyServer}. */
export interface KeyServerOptions {
  /** @default fs keystore in a temp dir */
  readonly keystore?: KeystoreSpec;
  /** Policies by name. @default none */
  readonly policies?: Readonly<Record<string, PolicySpec>>;
  /** Admin API key. @default a fresh one */
  readonly admin?: KesApiKey;
  /** cache.expiry values (Go durations). @default any 5m, unused 1m */
  readonly cacheExpiry?: { readonly any?: string; readonly unused?: string; readonly offline?: string };
  /** log.audit / log.error. @default "on" for both */
  readonly log?: { readonly audit?: string; readonly error?: string };
  /** Keys created at startup (config `keys:`). @default none */
  readonly keys?: readonly string[];
  /** Reuse this directory (and its server certificate) instead of a new temp dir, e.g. to restart. */
  readonly dir?: string;
}

/** A running key server. */
export interface RunningKeyServer {
  readonly target: KeyServerTarget;
  /** https://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** The admin's API key (secret). */
  readonly admin: KesApiKey;
  /** The admin's API key string (secret): `admin.apiKey`. */
  readonly adminApiKey: string;
  /** The server certificate (self-signed): the CA file clients trust. */
  readonly caFile: string;
  /** Temp dir holding config, certificate and (fs) keys. */
  readonly dir: string;
  readonly configFile: string;
  readonly process: ManagedProcess;
  /** Stops the process (by pid). The temp dir stays until `cleanup()`. */
  stop(): Promise<void>;
  /** Stops and removes the temp dir. */
  cleanup(): Promise<void>;
}

/** Which implementation to run. */
export type KeyServerTarget = "kes" | "ours";

/** Every target, in the order suites run them: real KES first, which proves the suites right. */
export const KEY_SERVER_TARGETS: readonly KeyServerTarget[] = ["kes", "ours"];

/** Path of our bundled key server. */
export const OURS_BUNDLE = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");

/** Runs a command and returns its result; never throws on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args as string[],
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
  });
}

/**
 * Makes a TLS key pair with `kes identity new --key --cert --ip 127.0.0.1 --dns localhost localhost`:
 * an Ed25519 certificate with serverAuth and clientAuth, usable as server certificate and as a MinIO
 * client certificate.
 * @throws Error with the command output when kes fails.
 */
export async function kesIdentityFiles(
  dir: string,
  name: string,
): Promise<{ keyFile: string; certFile: string }> {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  const res = await run(testbedBinary("kes"), [
    "identity",
    "new",
    "--key",
    keyFile,
    "--cert",
    certFile,
    "--ip",
    "127.0.0.1",
    "--dns",
    "localhost",
    "localhost",
  ]);
  if (res.code !== 0 || !fs.existsSync(certFile)) {
    throw new Error(`kes identity new failed (exit ${res.code}): ${res.stderr}`);
  }
  return { keyFile, certFile };
}

/** Environment variable that carries the AppRole secret-id to the server (config: `${...}`). */
const SECRET_ID_VAR = "KVK_APPROLE_SECRET_ID";

/**
 * Mounts K/V (when missing), enables AppRole, writes the key server's Vault policy and role and makes a
 * secret-id. The config refers to the secret-id as `${KVK_APPROLE_SECRET_ID}` so that it is never
 * written to the config file; it goes to the server process's environment.
 * @throws Error naming the OpenBao call that failed with its status and body.
 */
async function prepareVault(
  spec: KeystoreSpec,
): Promise<{ keystore: Record<string, unknown>; env: Record<string, string> }> {
  const bao = spec.openbao;
  if (!bao)
    throw new Error(`keystore.openbao is required when keystore.kind is "vault": pass startOpenBao()`);
  const version = spec.kvVersion ?? 1;
  const engine = spec.engine ?? (version === 1 ? "kv" : "kv2");
  const prefix = spec.prefix ?? "kes";
  const check = (what: string, r: { status: number; body: unknown }) => {
    if (r.status >= 300)
      throw new Error(`openbao: ${what} failed with ${r.status}: ${JSON.stringify(r.body)}`);
  };
  const mounts = await bao.request("GET", "sys/mounts");
  if (!mounts.body?.data?.[`${engine}/`] && !mounts.body?.[`${engine}/`]) {
    check(
      `enable kv v${version} at ${engine}`,
      await bao.request("POST", `sys/mounts/${engine}`, {
        type: "kv",
        options: { version: String(version) },
      }),
    );
  }
  const auths = await bao.request("GET", "sys/auth");
  if (!auths.body?.data?.["approle/"] && !auths.body?.["approle/"]) {
    check("enable approle", await bao.request("POST", "sys/auth/approle", { type: "approle" }));
  }
  const policyName = `kes-${engine}-${prefix}`;
  const hcl =
    version === 1
      ? `path "${engine}/${prefix}/*" { capabilities = ["create", "read", "delete", "list"] }\n` +
        `path "${engine}/${prefix}" { capabilities = ["list"] }\n`
      : `path "${engine}/data/${prefix}/*" { capabilities = ["create", "read"] }\n` +
        `path "${engine}/metadata/${prefix}/*" { capabilities = ["list", "delete"] }\n` +
        `path "${engine}/metadata/${prefix}" { capabilities = ["list"] }\n`;
  check("write policy", await bao.request("PUT", `sys/policies/acl/${policyName}`, { policy: hcl }));
  const role = policyName;
  check(
    "write approle role",
    await bao.request("POST", `auth/approle/role/${role}`, {
      token_policies: [policyName],
      token_period: "300s",
      secret_id_num_uses: 0,
    }),
  );
  const roleId = await bao.request("GET", `auth/approle/role/${role}/role-id`);
  check("read role-id", roleId);
  const secretId = await bao.request("POST", `auth/approle/role/${role}/secret-id`, {});
  check("create secret-id", secretId);
  return {
    keystore: {
      vault: {
        endpoint: bao.addr,
        engine,
        version: `v${version}`,
        prefix,
        approle: { engine: "approle", id: roleId.body.data.role_id, secret: `\${${SECRET_ID_VAR}}` },
        status: { ping: "10s" },
      },
    },
    env: { [SECRET_ID_VAR]: secretId.body.data.secret_id as string },
  };
}

/**
 * Renders the KES-schema config (an object; YAML-stringify it) for a server on `port`.
 * Pure: the keystore section must already be prepared (see prepareVault).
 */
export function renderKeyServerConfig(input: {
  port: number;
  adminIdentity: string;
  tlsKey: string;
  tlsCert: string;
  keystore: Record<string, unknown>;
  policies?: Readonly<Record<string, PolicySpec>>;
  cacheExpiry?: KeyServerOptions["cacheExpiry"];
  log?: KeyServerOptions["log"];
  keys?: readonly string[];
}): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(input.policies ?? {})) {
    policy[name] = { allow: [...p.allow], deny: [...(p.deny ?? [])], identities: [...p.identities] };
  }
  const config: Record<string, unknown> = {
    version: "v1",
    address: `127.0.0.1:${input.port}`,
    admin: { identity: input.adminIdentity },
    tls: { key: input.tlsKey, cert: input.tlsCert },
    cache: {
      expiry: {
        any: input.cacheExpiry?.any ?? "5m",
        unused: input.cacheExpiry?.unused ?? "1m",
        offline: input.cacheExpiry?.offline ?? "0s",
      },
    },
    log: { error: input.log?.error ?? "on", audit: input.log?.audit ?? "on" },
    keystore: input.keystore,
  };
  if (Object.keys(policy).length > 0) config.policy = policy;
  if (input.keys && input.keys.length > 0) config.keys = input.keys.map((name) => ({ name }));
  return config;
}

/**
 * GET /version over HTTPS with a client certificate (KES requires one at the TLS layer by default).
 * @returns the HTTP status, or throws on a connection error.
 */
export function probeVersion(
  port: number,
  caPem: string,
  client: { certPem: string; keyPem: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      ca: caPem,
      cert: client.certPem,
      key: client.keyPem,
      servername: "localhost",
      ALPNProtocols: ["http/1.1"],
    });
    let data = "";
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    socket.once("secureConnect", () =>
      socket.write("GET /version HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    socket.on("data", (c) => (data += c.toString("latin1")));
    socket.once("error", reject);
    socket.once("close", () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no HTTP response: ${JSON.stringify(data.slice(0, 200))}`));
    });
  });
}

/**
 * Starts a key server of the given target with a generated config on a free loopback port and waits
 * until GET /version answers 200.
 * @throws Error when the test bed lacks kes, our bundle is missing (run `npm run build:runtime`), the
 *   keystore cannot be prepared, or the server does not answer within 60 s (with its output).
 */
export async function startKeyServer(
  target: KeyServerTarget,
  options: KeyServerOptions = {},
): Promise<RunningKeyServer> {
  const command = target === "kes" ? testbedBinary("kes") : process.execPath;
  if (target === "ours" && !fs.existsSync(OURS_BUNDLE)) {
    throw new Error(
      `our key server bundle is missing: ${OURS_BUNDLE} does not exist; run: npm run build:runtime`,
    );
  }
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `kvk-${target}-`));
  const serverKey = path.join(dir, "server.key");
  const serverCert = path.join(dir, "server.crt");
  if (!fs.existsSync(serverCert)) await kesIdentityFiles(dir, "server");
  const admin = options.admin ?? newApiKey();
  const spec = options.keystore ?? { kind: "fs" };
  const { keystore, env: keystoreEnv } =
    spec.kind === "fs"
      ? { keystore: { fs: { path: spec.fsPath ?? path.join(dir, "keys") } }, env: {} }
      : await prepareVault(spec);
  const port = await freePort();
  const config = renderKeyServerConfig({
    port,
    adminIdentity: admin.identity,
    tlsKey: serverKey,
    tlsCert: serverCert,
    keystore,
    policies: options.policies,
    cacheExpiry: options.cacheExpiry,
    log: options.log,
    keys: options.keys,
  });
  const configFile = path.join(dir, "config.yml");
  fs.writeFileSync(configFile, toYaml(config), { mode: 0o600 });
  const args =
    target === "kes" ? ["server", "--config", configFile] : [OURS_BUNDLE, "server", "--config", configFile];
  const proc = startProcess(`${target} server`, command, args, {
    env: { ...process.env, HOME: process.env.HOME ?? dir, ...keystoreEnv },
  });
  const caPem = fs.readFileSync(serverCert, "utf8");
  const probeCert = apiKeyCertificate(admin);
  try {
    await waitUntil(
      `${target} key server on 127.0.0.1:${port}`,
      async () => (await probeVersion(port, caPem, probeCert)) === 200,
      {
        proc,
        timeoutMs: 60_000,
        intervalMs: 150,
      },
    );
  } catch (err) {
    await proc.stop();
    if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = () => proc.stop();
  return {
    target,
    endpoint: `https://127.0.0.1:${port}`,
    port,
    admin,
    adminApiKey: admin.apiKey,
    caFile: serverCert,
    dir,
    configFile,
    process: proc,
    stop,
    async cleanup() {
      await proc.stop();
      if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts real KES: {@link startKeyServer} with target "kes". */
export function startKes(options: KeyServerOptions = {}): Promise<RunningKeyServer> {
  return startKeyServer("kes", options);
}
