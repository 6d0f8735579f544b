/**
 * Unmodified MinIO (test bed) encrypting objects through each target: real KES first (proves the
 * expectations), then our key server. API-key and certificate client modes, auto-encryption on, SSE-S3
 * and SSE-KMS, data at rest not in plaintext, and reads after a MinIO restart; fs and vault keystores.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  KEY_SERVER_TARGETS,
  certificateIdentity,
  kesIdentityFiles,
  newApiKey,
  startKeyServer,
  type KeystoreSpec,
  type RunningKeyServer,
} from "../../../scripts/testbed/kes";
import { startMinio, type MinioKesOptions, type RunningMinio } from "../../../scripts/testbed/minio";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { kesCli } from "./support/kes-cli";
import { s3Client, type S3Response } from "../../../shared/s3";

type Keystore = "fs" | "vault-kv1" | "vault-kv2";
type ClientMode = "api-key" | "certificate";

/** Keystore and MinIO client-auth mode per run; every target runs each. */
const SETUPS: ReadonlyArray<readonly [Keystore, ClientMode]> = [
  ["fs", "api-key"],
  ["fs", "certificate"],
  ["vault-kv1", "api-key"],
  ["vault-kv2", "certificate"],
];
const CASES = KEY_SERVER_TARGETS.flatMap((t) => SETUPS.map(([k, m]) => [t, k, m] as const));

const DEFAULT_KEY = "minio-default";
const KMS_KEY = "minio-kms-1";
const BUCKET = "conformance";

/** The policy a MinIO identity gets: its own keys, listing and status, nothing else. */
const MINIO_POLICY = {
  allow: [
    "/v1/key/create/minio-*",
    "/v1/key/generate/minio-*",
    "/v1/key/decrypt/minio-*",
    "/v1/key/describe/minio-*",
    "/v1/key/list/*",
    "/v1/status",
    "/v1/metrics",
    "/v1/api",
  ],
};

/** A distinctive plaintext: the marker repeated, so any unencrypted copy on disk is found. */
function plaintext(marker: string): Buffer {
  return Buffer.from(`${marker}\n`.repeat(Math.ceil((96 * 1024) / (marker.length + 1))), "utf8");
}

/** Every file under dir that contains `needle`. */
function filesContaining(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if (fs.readFileSync(file).includes(needle)) hits.push(file);
  }
  return hits;
}

let openbao: Promise<OpenBaoServer> | undefined;
afterAll(async () => {
  if (openbao) await (await openbao).stop();
});

async function keystoreSpec(kind: Keystore, prefix: string): Promise<KeystoreSpec> {
  if (kind === "fs") return { kind: "fs" };
  const bao = await (openbao ??= startOpenBao());
  return { kind: "vault", openbao: bao, kvVersion: kind === "vault-kv1" ? 1 : 2, prefix };
}

describe.each(CASES)(
  "GIVEN MinIO with auto-encryption through %s (%s keystore, %s client)",
  (target, keystore, mode) => {
    let server: RunningKeyServer;
    let minio: RunningMinio;
    let minioIdentity: string;
    let clientDir: string | undefined;
    const markers = {
      sseS3: `sse-s3-${randomBytes(8).toString("hex")}`,
      auto: `auto-${randomBytes(8).toString("hex")}`,
      sseKms: `sse-kms-${randomBytes(8).toString("hex")}`,
    };
    const puts: Record<keyof typeof markers, S3Response | undefined> = {
      sseS3: undefined,
      auto: undefined,
      sseKms: undefined,
    };
    const s3 = () => s3Client(minio.endpoint, { accessKey: minio.rootUser, secretKey: minio.rootPassword });

    beforeAll(async () => {
      const prefix = `minio-${target}-${mode}`.replace(/[^a-z0-9-]/g, "");
      const apiKey = newApiKey();
      let kes: Omit<MinioKesOptions, "endpoint" | "caFile">;
      if (mode === "api-key") {
        minioIdentity = apiKey.identity;
        kes = { keyName: DEFAULT_KEY, apiKey: apiKey.apiKey };
      } else {
        clientDir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-minio-client-"));
        const files = await kesIdentityFiles(clientDir, "minio-client");
        minioIdentity = certificateIdentity(fs.readFileSync(files.certFile, "utf8"));
        kes = { keyName: DEFAULT_KEY, certFile: files.certFile, keyFile: files.keyFile };
      }
      server = await startKeyServer(target, {
        keystore: await keystoreSpec(keystore, prefix),
        policies: { minio: { ...MINIO_POLICY, identities: [minioIdentity] } },
      });
      const created = await kesCli(server, ["key", "create", KMS_KEY]);
      if (created.code !== 0) throw new Error(`setup: kes key create ${KMS_KEY}: ${created.stderr}`);

      minio = await startMinio({
        kes: { endpoint: server.endpoint, caFile: server.caFile, ...kes },
        autoEncryption: true,
      });
      const client = s3();
      const bucket = await client.createBucket(BUCKET);
      if (bucket.status !== 200)
        throw new Error(`setup: create bucket: ${bucket.status} ${bucket.body.toString()}`);
      puts.sseS3 = await client.putObject(BUCKET, "sse-s3.txt", plaintext(markers.sseS3), {
        "x-amz-server-side-encryption": "AES256",
      });
      puts.auto = await client.putObject(BUCKET, "auto.txt", plaintext(markers.auto));
      puts.sseKms = await client.putObject(BUCKET, "sse-kms.txt", plaintext(markers.sseKms), {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": KMS_KEY,
      });
    }, 300_000);

    afterAll(async () => {
      await minio?.cleanup();
      await server?.cleanup();
      if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
    });

    it("WHEN MinIO starts THEN it has created its default key through the key server, owned by its identity", async () => {
      const info = await kesCli(server, ["key", "info", DEFAULT_KEY]);
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(
        new RegExp(`^Name        ${DEFAULT_KEY}\\n[\\s\\S]*\\nOwner       ${minioIdentity}$`),
      );
    });

    it("WHEN an object is PUT with SSE-S3 THEN GET returns its bytes and reports AES256", async () => {
      expect(puts.sseS3?.status).toBe(200);
      const res = await s3().getObject(BUCKET, "sse-s3.txt");
      expect(res.status).toBe(200);
      expect(res.headers["x-amz-server-side-encryption"]).toBe("AES256");
      expect(res.body.equals(plaintext(markers.sseS3))).toBe(true);
    });

    it("WHEN an object is PUT without SSE headers THEN auto-encryption stores it with SSE-KMS under the default key", async () => {
      // This MinIO's auto-encryption applies SSE-KMS with the default key (internal/bucket/encryption
      // bucket-sse-config.go Apply), not SSE-S3.
      expect(puts.auto?.status).toBe(200);
      const head = await s3().headObject(BUCKET, "auto.txt");
      expect(head.status).toBe(200);
      expect(head.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
      expect(head.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(`arn:aws:kms:${DEFAULT_KEY}`);
      const res = await s3().getObject(BUCKET, "auto.txt");
      expect(res.body.equals(plaintext(markers.auto))).toBe(true);
    });

    it("WHEN an object is PUT with SSE-KMS and a key id THEN GET returns its bytes and names the key", async () => {
      expect(puts.sseKms?.status).toBe(200);
      const res = await s3().getObject(BUCKET, "sse-kms.txt");
      expect(res.status).toBe(200);
      expect(res.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
      expect(res.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(`arn:aws:kms:${KMS_KEY}`);
      expect(res.body.equals(plaintext(markers.sseKms))).toBe(true);
    });

    it("WHEN the bucket is listed THEN every ETag (decrypted through the key server) matches the PUT's", async () => {
      const res = await s3().listObjects(BUCKET);
      expect(res.status).toBe(200);
      const etags = Object.fromEntries(
        [...res.body.toString().matchAll(/<Key>([^<]+)<\/Key>.*?<ETag>([^<]+)<\/ETag>/gs)].map((m) => [
          m[1],
          m[2].replace(/&#34;|&quot;/g, '"'),
        ]),
      );
      expect(etags).toEqual({
        "auto.txt": puts.auto?.headers.etag,
        "sse-kms.txt": puts.sseKms?.headers.etag,
        "sse-s3.txt": puts.sseS3?.headers.etag,
      });
    });

    it("WHEN MinIO's data dir is scanned THEN no file holds any object's plaintext", () => {
      // The objects are on disk (so the scan can see them): one folder per object with its xl.meta.
      for (const name of ["sse-s3.txt", "auto.txt", "sse-kms.txt"]) {
        expect(fs.existsSync(path.join(minio.dataDir, BUCKET, name, "xl.meta"))).toBe(true);
      }
      for (const marker of Object.values(markers)) {
        expect(filesContaining(minio.dataDir, Buffer.from(marker))).toEqual([]);
      }
    });

    it("fails when an object is PUT with SSE-KMS and a key the key server does not have", async () => {
      const res = await s3().putObject(BUCKET, "nokey.txt", Buffer.from("x"), {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "minio-missing",
      });
      // MinIO maps the key server's 404 "key does not exist" (kes.ErrKeyNotFound) to this S3 error.
      expect(res.status).toBe(404);
      expect(res.body.toString()).toMatch(
        /<Code>kms:KeyNotFound<\/Code><Message>key with given key ID does not exist<\/Message>/,
      );
    });

    it("WHEN MinIO restarts on the same data dir THEN every object reads back unchanged", async () => {
      minio = await minio.restart();
      for (const [name, marker] of [
        ["sse-s3.txt", markers.sseS3],
        ["auto.txt", markers.auto],
        ["sse-kms.txt", markers.sseKms],
      ]) {
        const res = await s3().getObject(BUCKET, name);
        expect({ name, status: res.status }).toEqual({ name, status: 200 });
        expect(res.body.equals(plaintext(marker))).toBe(true);
      }
    });
  },
);
