/**
 * MinIO's pod settings that are pure values: the data of the Secret with its key server credentials, its
 * environment (MINIO_ROOT_*, MINIO_KMS_KES_*), its volumes and its probes. The Minio construct wires them into
 * the Secret and the StatefulSet.
 * @see ../../docs/kubernetes.md#the-key-servers-pod (MinIO's environment)
 */
import type {
  StatefulSetV1SpecTemplateSpecContainerEnv,
  StatefulSetV1SpecTemplateSpecContainerVolumeMount,
  StatefulSetV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import type { KeyServerTls } from "./key-server-tls";
import type { MinioKesClient } from "./minio";
import {
  MINIO_DATA_DIR,
  MINIO_KES_CA_FILE,
  MINIO_KES_CLIENT_CERT_FILE,
  MINIO_KES_CLIENT_KEY_FILE,
  MINIO_KES_DIR,
  MINIO_KES_EXTERNAL_CA_DIR,
  MINIO_KES_SECRET_KEYS,
  MINIO_PORT,
  MINIO_ROOT_SECRET_KEYS,
} from "./paths";
import { httpProbe, PodVolumes } from "./pod-template";

/** MinIO's pod volumes with their mounts, in the StatefulSet binding's types. */
export type MinioPodVolumes = PodVolumes<
  StatefulSetV1SpecTemplateSpecVolume,
  StatefulSetV1SpecTemplateSpecContainerVolumeMount
>;

/**
 * Data of MinIO's KES Secret: the client certificate and key (certificate login) and the key server's CA (when
 * the kit has it as PEM). Empty when there is nothing to keep (API key login with an external CA Secret).
 */
export function minioKesSecretData(client: MinioKesClient, tls: KeyServerTls): Record<string, string> {
  const data: Record<string, string> = {};
  if (client.certificate) {
    data[MINIO_KES_SECRET_KEYS.clientCert] = client.certificate.certPem;
    data[MINIO_KES_SECRET_KEYS.clientKey] = client.certificate.keyPem;
  }
  if (tls.pem) data[MINIO_KES_SECRET_KEYS.caCert] = tls.pem.caPem;
  return data;
}

/** What MinIO's environment is rendered from. */
export interface MinioEnvInput {
  /** Name of the root credentials Secret (usually a token). */
  readonly rootSecretName: string;
  /** Every key server endpoint. */
  readonly keyServerEndpoints: readonly string[];
  readonly defaultKeyName: string;
  readonly keyServerTls: KeyServerTls;
  readonly kesClient: MinioKesClient;
  readonly autoEncryption?: boolean;
}

/**
 * MinIO's environment: root credentials and the API key read from Secrets, the key server's endpoints, default
 * key and CA, the client certificate files, and auto-encryption when asked for.
 */
export function minioEnv(input: MinioEnvInput): StatefulSetV1SpecTemplateSpecContainerEnv[] {
  const secretRef = (secret: string, key: string) => ({
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  const client = input.kesClient;
  const caFile = input.keyServerTls.pem ? MINIO_KES_CA_FILE : `${MINIO_KES_EXTERNAL_CA_DIR}/ca.crt`;
  const env: StatefulSetV1SpecTemplateSpecContainerEnv[] = [
    { name: "MINIO_ROOT_USER", ...secretRef(input.rootSecretName, MINIO_ROOT_SECRET_KEYS.user) },
    { name: "MINIO_ROOT_PASSWORD", ...secretRef(input.rootSecretName, MINIO_ROOT_SECRET_KEYS.password) },
    { name: "MINIO_KMS_KES_ENDPOINT", value: input.keyServerEndpoints.join(",") },
    { name: "MINIO_KMS_KES_KEY_NAME", value: input.defaultKeyName },
    { name: "MINIO_KMS_KES_CAPATH", value: caFile },
  ];
  if (client.certificate) {
    env.push(
      { name: "MINIO_KMS_KES_CERT_FILE", value: MINIO_KES_CLIENT_CERT_FILE },
      { name: "MINIO_KMS_KES_KEY_FILE", value: MINIO_KES_CLIENT_KEY_FILE },
    );
  } else if (client.apiKeySecret) {
    env.push({
      name: "MINIO_KMS_KES_API_KEY",
      ...secretRef(client.apiKeySecret.secretName, client.apiKeySecret.key),
    });
  }
  if (input.autoEncryption) env.push({ name: "MINIO_KMS_AUTO_ENCRYPTION", value: "on" });
  return env;
}

/**
 * MinIO's volumes and mounts: the data claim, a writable /tmp, the KES Secret (when there is one, with the keys
 * it holds) and the external CA Secret (when the key server's CA is not given as PEM).
 */
export function minioPodVolumes(
  kesSecret: { readonly name: string; readonly keys: readonly string[] } | undefined,
  tls: KeyServerTls,
): MinioPodVolumes {
  const pod: MinioPodVolumes = new PodVolumes();
  pod.mountOnly("data", MINIO_DATA_DIR, true); // the volume claim template's
  pod.add({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, "/tmp", true);
  if (kesSecret !== undefined) {
    const items = kesSecret.keys.map((key) => ({ key, path: key }));
    pod.add(
      { name: "kes", secret: { secretName: kesSecret.name, defaultMode: "0440", items } },
      MINIO_KES_DIR,
    );
  }
  if (!tls.pem && tls.secretName) {
    const items = [{ key: tls.keys.ca, path: "ca.crt" }];
    pod.add(
      { name: "kes-ca", secret: { secretName: tls.secretName, defaultMode: "0440", items } },
      MINIO_KES_EXTERNAL_CA_DIR,
    );
  }
  return pod;
}

/** An HTTP probe on one of MinIO's health endpoints. */
export function minioProbe(path: string, failureThreshold: number) {
  return httpProbe({
    path,
    port: MINIO_PORT,
    scheme: "HTTP",
    initialDelaySeconds: 5,
    periodSeconds: 10,
    failureThreshold,
  });
}
