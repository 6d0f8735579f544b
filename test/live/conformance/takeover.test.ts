/**
 * Takeover on a shared Vault keystore, through an unmodified MinIO: objects MinIO encrypted through one
 * key server are read back after MinIO restarts against the other one on the same K/V mount and prefix,
 * in both directions (real KES -> ours, ours -> real KES), K/V v1 and v2. This proves that both store
 * keys in Vault in the same format (KES-PROTOCOL.md §4.5, §5.2) and encrypt data keys alike (§4.2).
 */
import { randomBytes } from "node:crypto";
import {
  newApiKey,
  startKeyServer,
  type KeyServerTarget,
  type KesApiKey,
  type RunningKeyServer,
} from "../../../scripts/testbed/kes";
import { startMinio, type RunningMinio } from "../../../scripts/testbed/minio";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { kesCli } from "./support/kes-cli";
import { s3Client } from "../../../shared/s3";

const DIRECTIONS: ReadonlyArray<readonly [KeyServerTarget, KeyServerTarget]> = [
  ["kes", "ours"],
  ["ours", "kes"],
];
const CASES = DIRECTIONS.flatMap(([from, to]) => ([1, 2] as const).map((v) => [from, to, v] as const));

const DEFAULT_KEY = "minio-default";
const KMS_KEY = "minio-kms-1";
const BUCKET = "takeover";
const MINIO_POLICY = {
  allow: [
    "/v1/key/create/minio-*",
    "/v1/key/generate/minio-*",
    "/v1/key/decrypt/minio-*",
    "/v1/key/describe/minio-*",
    "/v1/key/list/*",
    "/v1/status",
  ],
};

let openbao: Promise<OpenBaoServer> | undefined;
afterAll(async () => {
  if (openbao) await (await openbao).stop();
});

describe.each(CASES)(
  "GIVEN MinIO wrote encrypted objects through %s, then %s took over the Vault K/V v%s keystore",
  (from, to, kvVersion) => {
    const prefix = `takeover-${from}-${to}-v${kvVersion}`;
    const bodies = {
      "sse-s3.txt": randomBytes(4096),
      "auto.txt": randomBytes(4096),
      "sse-kms.txt": randomBytes(4096),
    };
    let client: KesApiKey;
    let admin: KesApiKey;
    let server: RunningKeyServer | undefined;
    let minio: RunningMinio | undefined;

    async function startServer(target: KeyServerTarget): Promise<RunningKeyServer> {
      const bao = await (openbao ??= startOpenBao());
      return startKeyServer(target, {
        admin,
        keystore: { kind: "vault", openbao: bao, kvVersion, prefix },
        policies: { minio: { ...MINIO_POLICY, identities: [client.identity] } },
      });
    }

    beforeAll(async () => {
      client = newApiKey();
      admin = newApiKey();
      server = await startServer(from);
      const created = await kesCli(server, ["key", "create", KMS_KEY]);
      if (created.code !== 0) throw new Error(`setup: kes key create ${KMS_KEY}: ${created.stderr}`);
      minio = await startMinio({
        kes: {
          endpoint: server.endpoint,
          caFile: server.caFile,
          keyName: DEFAULT_KEY,
          apiKey: client.apiKey,
        },
      });
      const s3 = s3Client(minio.endpoint, { accessKey: minio.rootUser, secretKey: minio.rootPassword });
      const steps = [
        await s3.createBucket(BUCKET),
        await s3.putObject(BUCKET, "sse-s3.txt", bodies["sse-s3.txt"], {
          "x-amz-server-side-encryption": "AES256",
        }),
        await s3.putObject(BUCKET, "auto.txt", bodies["auto.txt"]),
        await s3.putObject(BUCKET, "sse-kms.txt", bodies["sse-kms.txt"], {
          "x-amz-server-side-encryption": "aws:kms",
          "x-amz-server-side-encryption-aws-kms-key-id": KMS_KEY,
        }),
      ];
      const bad = steps.find((r) => r.status !== 200);
      if (bad) throw new Error(`setup: S3 request failed with ${bad.status}: ${bad.body.toString()}`);
      // The takeover: the first key server goes away, the other one starts on the same mount and prefix.
      await server.cleanup();
      server = await startServer(to);
      minio = await minio.restart({
        endpoint: server.endpoint,
        caFile: server.caFile,
        keyName: DEFAULT_KEY,
        apiKey: client.apiKey,
      });
    }, 300_000);

    afterAll(async () => {
      await minio?.cleanup();
      await server?.cleanup();
    });

    it(`WHEN MinIO has restarted against ${to} on the same K/V mount and prefix THEN every object reads back unchanged`, async () => {
      const s3 = s3Client(minio!.endpoint, { accessKey: minio!.rootUser, secretKey: minio!.rootPassword });
      for (const [name, body] of Object.entries(bodies)) {
        const res = await s3.getObject(BUCKET, name);
        expect({ name, status: res.status, same: res.body.equals(body) }).toEqual({
          name,
          status: 200,
          same: true,
        });
      }
    });

    it(`WHEN ${to} describes the keys ${from} created THEN it reports them with their creators`, async () => {
      const info = await kesCli(server!, ["key", "info", DEFAULT_KEY]);
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(
        new RegExp(`^Name        ${DEFAULT_KEY}\\nAlgorithm   AES256\\n.*\\nOwner       ${client.identity}$`),
      );
      const kms = await kesCli(server!, ["key", "info", KMS_KEY]);
      expect(kms.stdout).toMatch(new RegExp(`\\nOwner       ${admin.identity}$`));
    });
  },
);
