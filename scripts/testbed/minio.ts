/**
 * MinIO fixture for live tests: a real single-drive MinIO from the test bed on free loopback ports, with
 * server-side encryption through a KES-compatible key server (MINIO_KMS_KES_*), restartable on the
 * same data dir.
 * @see ../../docs/kubernetes.md#the-key-servers-pod (MinIO's environment)
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { testbedBinary } from "./env";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "./process";

/** How MinIO reaches the key server. Exactly one of `apiKey` and `certFile`+`keyFile`. */
export interface MinioKesOptions {
  /** MINIO_KMS_KES_ENDPOINT: one or more https:// URLs, comma-separated. */
  readonly endpoint: string;
  /** MINIO_KMS_KES_KEY_NAME: the default key (created by MinIO when missing). */
  readonly keyName: string;
  /** MINIO_KMS_KES_CAPATH: the key server's certificate or CA. */
  readonly caFile: string;
  /** MINIO_KMS_KES_API_KEY (secret). */
  readonly apiKey?: string;
  /** MINIO_KMS_KES_CERT_FILE. */
  readonly certFile?: string;
  /** MINIO_KMS_KES_KEY_FILE. */
  readonly keyFile?: string;
}

/** Options of {@link startMinio}. */
export interface MinioOptions {
  readonly kes: MinioKesOptions;
  /** MINIO_KMS_AUTO_ENCRYPTION=on. @default true */
  readonly autoEncryption?: boolean;
  /** Data dir to (re)use. @default a new temp dir */
  readonly dataDir?: string;
  /** API port to (re)use. @default a free port */
  readonly port?: number;
  /** Root credentials. @default random */
  readonly rootUser?: string;
  readonly rootPassword?: string;
  /** How long to wait for /minio/health/ready. @default 120000 */
  readonly readyTimeoutMs?: number;
}

/** A running MinIO. */
export interface RunningMinio {
  /** http://127.0.0.1:<port> (S3 API). */
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly rootUser: string;
  /** Secret: never print it. */
  readonly rootPassword: string;
  readonly process: ManagedProcess;
  /** Stops MinIO (by pid); the data dir stays. */
  stop(): Promise<void>;
  /**
   * Stops this process and starts a new one on the same data dir, port and credentials; with `kes`,
   * pointed at another key server (e.g. one that took over the same keystore).
   */
  restart(kes?: MinioKesOptions): Promise<RunningMinio>;
  /** Stops and removes the data dir (and the config dir) if this fixture created them. */
  cleanup(): Promise<void>;
}

/**
 * The MINIO_KMS_* environment for a key server.
 * @throws Error when both or neither of the API key and the certificate pair are given.
 */
export function minioKmsEnv(kes: MinioKesOptions, autoEncryption: boolean): Record<string, string> {
  const hasCert = kes.certFile !== undefined || kes.keyFile !== undefined;
  if ((kes.apiKey !== undefined) === hasCert) {
    throw new Error("minio kes options need exactly one of apiKey and certFile+keyFile");
  }
  if (hasCert && (!kes.certFile || !kes.keyFile)) {
    throw new Error("minio kes options: certFile and keyFile go together; set both");
  }
  const env: Record<string, string> = {
    MINIO_KMS_KES_ENDPOINT: kes.endpoint,
    MINIO_KMS_KES_KEY_NAME: kes.keyName,
    MINIO_KMS_KES_CAPATH: kes.caFile,
  };
  if (kes.apiKey !== undefined) env.MINIO_KMS_KES_API_KEY = kes.apiKey;
  else {
    env.MINIO_KMS_KES_CERT_FILE = kes.certFile!;
    env.MINIO_KMS_KES_KEY_FILE = kes.keyFile!;
  }
  if (autoEncryption) env.MINIO_KMS_AUTO_ENCRYPTION = "on";
  return env;
}

/**
 * Starts `minio server` on free loopback ports and waits until /minio/health/ready (which makes MinIO
 * generate a data key on the default key) and /minio/health/cluster answer 200.
 * @throws Error when the test bed lacks minio, or MinIO is not ready in time (with its output).
 */
export function startMinio(options: MinioOptions): Promise<RunningMinio> {
  return launch(options, options.dataDir === undefined);
}

/** ownDir: this fixture made the data dir, so cleanup() of this and every restarted instance removes it. */
async function launch(options: MinioOptions, ownDir: boolean): Promise<RunningMinio> {
  const minio = testbedBinary("minio");
  const base = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "kvk-minio-"));
  const dataDir = path.join(base, "data");
  const certsDir = path.join(base, "certs");
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(certsDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const consolePort = await freePort();
  const rootUser = options.rootUser ?? `root${randomBytes(4).toString("hex")}`;
  const rootPassword = options.rootPassword ?? randomBytes(18).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: base,
    MINIO_ROOT_USER: rootUser,
    MINIO_ROOT_PASSWORD: rootPassword,
    MINIO_BROWSER: "off",
    MINIO_UPDATE: "off",
    MINIO_CI_CD: "on",
    ...minioKmsEnv(options.kes, options.autoEncryption ?? true),
  };
  const proc = startProcess(
    "minio",
    minio,
    [
      "server",
      "--quiet",
      "--address",
      `127.0.0.1:${port}`,
      "--console-address",
      `127.0.0.1:${consolePort}`,
      "--certs-dir",
      certsDir,
      dataDir,
    ],
    { env },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    // ready: the KMS answers (MinIO generates a data key on the default key); cluster: object layer,
    // bucket metadata and IAM are initialised (ready alone answers 200 before S3 requests work).
    const healthy = async (p: string) => (await fetch(`${endpoint}/minio/health/${p}`)).status === 200;
    await waitUntil(
      `minio on ${endpoint}`,
      async () => (await healthy("ready")) && (await healthy("cluster")),
      {
        proc,
        timeoutMs: options.readyTimeoutMs ?? 120_000,
        intervalMs: 250,
      },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const running: RunningMinio = {
    endpoint,
    port,
    dataDir,
    rootUser,
    rootPassword,
    process: proc,
    stop: () => proc.stop(),
    async restart(kes?: MinioKesOptions) {
      await proc.stop();
      return launch(
        { ...options, kes: kes ?? options.kes, dataDir: base, port, rootUser, rootPassword },
        ownDir,
      );
    },
    async cleanup() {
      await proc.stop();
      if (ownDir) fs.rmSync(base, { recursive: true, force: true });
    },
  };
  return running;
}
