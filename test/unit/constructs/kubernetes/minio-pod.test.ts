import { KeyServerTls } from "../../../../constructs/kubernetes/key-server-tls";
import { MinioKesClient } from "../../../../constructs/kubernetes/minio";
import {
  minioEnv,
  minioKesSecretData,
  minioPodVolumes,
  minioProbe,
  type MinioEnvInput,
} from "../../../../constructs/kubernetes/minio-pod";

const pemTls = KeyServerTls.fromPem({ certPem: "CERT", keyPem: "KEY", caPem: "CA" });
const secretTls = KeyServerTls.fromSecret("ks-tls", { ca: "root.pem" });
const certClient = MinioKesClient.fromCertificate("CLIENT-CERT", "CLIENT-KEY");
const apiKeyClient = MinioKesClient.fromApiKeySecret("minio-kes", "api-key");

function env(over: Partial<MinioEnvInput> = {}) {
  return minioEnv({
    rootSecretName: "minio-root",
    keyServerEndpoints: ["https://ks-a:7373", "https://ks-b:7373"],
    defaultKeyName: "payments-default",
    keyServerTls: pemTls,
    kesClient: certClient,
    ...over,
  });
}

const byName = (e: ReturnType<typeof env>) =>
  Object.fromEntries(e.map((v) => [v.name, v.value ?? v.valueFrom]));

describe("MinIO pod", () => {
  test("GIVEN a client certificate and a PEM CA WHEN the KES Secret's data is rendered THEN it holds all three", () => {
    expect(minioKesSecretData(certClient, pemTls)).toEqual({
      "client.crt": "CLIENT-CERT",
      "client.key": "CLIENT-KEY",
      "ca.crt": "CA",
    });
  });

  test("GIVEN an API key and an external CA Secret WHEN the KES Secret's data is rendered THEN it is empty", () => {
    expect(minioKesSecretData(apiKeyClient, secretTls)).toEqual({});
  });

  test("GIVEN a certificate client WHEN the env is rendered THEN root credentials come from the Secret and the KES files are named", () => {
    expect(byName(env())).toEqual({
      MINIO_ROOT_USER: { secretKeyRef: { name: "minio-root", key: "root-user" } },
      MINIO_ROOT_PASSWORD: { secretKeyRef: { name: "minio-root", key: "root-password" } },
      MINIO_KMS_KES_ENDPOINT: "https://ks-a:7373,https://ks-b:7373",
      MINIO_KMS_KES_KEY_NAME: "payments-default",
      MINIO_KMS_KES_CAPATH: "/etc/minio/kes/ca.crt",
      MINIO_KMS_KES_CERT_FILE: "/etc/minio/kes/client.crt",
      MINIO_KMS_KES_KEY_FILE: "/etc/minio/kes/client.key",
    });
  });

  test("GIVEN an API key, an external CA and auto-encryption WHEN the env is rendered THEN the key comes from its Secret", () => {
    const e = byName(env({ kesClient: apiKeyClient, keyServerTls: secretTls, autoEncryption: true }));
    expect(e.MINIO_KMS_KES_CAPATH).toBe("/etc/minio/kes-ca/ca.crt");
    expect(e.MINIO_KMS_KES_API_KEY).toEqual({ secretKeyRef: { name: "minio-kes", key: "api-key" } });
    expect(e.MINIO_KMS_KES_CERT_FILE).toBeUndefined();
    expect(e.MINIO_KMS_AUTO_ENCRYPTION).toBe("on");
  });

  test("GIVEN a KES Secret WHEN the volumes are built THEN it is mounted with the keys it holds, beside data and tmp", () => {
    const pod = minioPodVolumes({ name: "minio-kes", keys: ["client.crt", "ca.crt"] }, pemTls);
    expect(pod.mounts.map((m) => [m.name, m.mountPath])).toEqual([
      ["data", "/data"],
      ["tmp", "/tmp"],
      ["kes", "/etc/minio/kes"],
    ]);
    expect(pod.volumes.find((v) => v.name === "kes")?.secret).toEqual({
      secretName: "minio-kes",
      defaultMode: "0440",
      items: [
        { key: "client.crt", path: "client.crt" },
        { key: "ca.crt", path: "ca.crt" },
      ],
    });
  });

  test("GIVEN no KES Secret and an external CA Secret WHEN the volumes are built THEN only the CA is mounted, as ca.crt", () => {
    const pod = minioPodVolumes(undefined, secretTls);
    expect(pod.volumes.map((v) => v.name)).toEqual(["tmp", "kes-ca"]);
    expect(pod.volumes[1].secret).toEqual({
      secretName: "ks-tls",
      defaultMode: "0440",
      items: [{ key: "root.pem", path: "ca.crt" }],
    });
  });

  test("GIVEN a health path WHEN a probe is built THEN it asks it over HTTP on 9000", () => {
    expect(minioProbe("/minio/health/live", 6)).toEqual({
      httpGet: { path: "/minio/health/live", port: "9000", scheme: "HTTP" },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    });
  });
});
