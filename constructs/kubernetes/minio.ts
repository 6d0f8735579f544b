import { Password } from "@cdktf/provider-random/lib/password";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import {
  StatefulSetV1,
  type StatefulSetV1SpecTemplateSpecContainerEnv,
  type StatefulSetV1SpecTemplateSpecContainerVolumeMount,
  type StatefulSetV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { IKeyServer } from "./key-server";
import type { KeyServerTls } from "./key-server-tls";
import { ServiceAddress } from "./service-address";
import { checkCount, checkDnsLabel, selectorLabels, workloadLabels } from "./kubernetes-names";
import { check, dnsSubdomainProblem, imageProblem, MAX_MINIO_REPLICAS } from "./workload-checks";
import { checkKeyName } from "./minio-key-policy";
import {
  MINIO_CERTS_DIR,
  MINIO_CONSOLE_PORT,
  MINIO_DATA_DIR,
  MINIO_KES_CA_FILE,
  MINIO_KES_CLIENT_CERT_FILE,
  MINIO_KES_CLIENT_KEY_FILE,
  MINIO_KES_DIR,
  MINIO_KES_SECRET_KEYS,
  MINIO_PORT,
  MINIO_ROOT_SECRET_KEYS,
} from "./paths";
import type { ResourceSettings } from "./pod-security";
import {
  httpProbe,
  NODE_TOPOLOGY,
  PodVolumes,
  secureContainerSettings,
  securePodSettings,
  spreadOver,
} from "./pod-template";

/** `app.kubernetes.io/name` of MinIO's pods. */
export const MINIO_COMPONENT = "minio";
/** MinIO image used when none is given: the last community release published as an image. Pin your own. */
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";
/** Directory where an external CA Secret (KeyServerTls.fromSecret) is mounted in MinIO's pods. */
export const MINIO_KES_EXTERNAL_CA_DIR = "/etc/minio/kes-ca";

/**
 * How MinIO authenticates to the key server: a client certificate and key (PEM tokens, e.g. from the tls
 * provider) that the kit puts in a Secret, or an API key kept in an existing Secret.
 */
export class MinioKesClient {
  /** A client certificate and key; `keyPem` is a sensitive token. */
  public static fromCertificate(certPem: string, keyPem: string): MinioKesClient {
    return new MinioKesClient({ certPem, keyPem }, undefined);
  }

  /**
   * A `kes:v1:` API key in an existing Secret of MinIO's namespace.
   * @throws Error when the Secret name or key is empty.
   */
  public static fromApiKeySecret(secretName: string, key: string): MinioKesClient {
    if (secretName.trim() === "" || key.trim() === "") {
      throw new Error(
        `api key secret ${JSON.stringify(`${secretName}/${key}`)} needs a Secret name and a key: e.g. fromApiKeySecret("minio-kes", "api-key")`,
      );
    }
    return new MinioKesClient(undefined, { secretName, key });
  }

  private constructor(
    public readonly certificate: { readonly certPem: string; readonly keyPem: string } | undefined,
    public readonly apiKeySecret: { readonly secretName: string; readonly key: string } | undefined,
  ) {}
}

export interface MinioProps {
  /** The key server(s) MinIO uses; every endpoint goes into MINIO_KMS_KES_ENDPOINT. */
  readonly keyServer: IKeyServer;
  /** The key server's TLS (the same object the KeyServer got): MinIO verifies the server with its CA. */
  readonly keyServerTls: KeyServerTls;
  /** MinIO's credentials towards the key server. */
  readonly kesClient: MinioKesClient;
  /** MINIO_KMS_KES_KEY_NAME: the default key (SSE-S3, IAM and config encryption), e.g. "payments-default". */
  readonly defaultKeyName: string;
  /**
   * Name of the StatefulSet and Service (the headless Service is `<name>-hl`).
   * @default "minio"
   */
  readonly name?: string;
  /**
   * Kubernetes namespace.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Cluster DNS domain, for the pods' addresses.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
  /**
   * Number of MinIO pods, one drive each (1 = a single-drive server; distributed erasure coding needs 4 or more).
   * @default 4
   */
  readonly replicas?: number;
  /**
   * Size of each pod's volume claim.
   * @default "10Gi"
   */
  readonly storage?: string;
  /**
   * Storage class of the volume claims.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * MinIO image.
   * @default DEFAULT_MINIO_IMAGE
   */
  readonly image?: string;
  /**
   * MINIO_KMS_AUTO_ENCRYPTION=on: every upload without SSE-C is encrypted with the default key.
   * @default false
   */
  readonly autoEncryption?: boolean;
  /**
   * Name of the root user (not a secret; the password is generated at apply time).
   * @default "minio-root"
   */
  readonly rootUser?: string;
  /**
   * Root password, a token such as a `random_password`'s result (never a literal: it would land in cdk.tf.json).
   * @default - generated at apply time by random_password (child id RootPassword)
   */
  readonly rootPassword?: string;
  /**
   * Requests and limits of the container.
   * @default - requests 250m CPU / 512Mi, limits 2 CPU / 2Gi
   */
  readonly resources?: ResourceSettings;
}

const DEFAULT_RESOURCES = { cpuRequest: "250m", memoryRequest: "512Mi", cpuLimit: "2", memoryLimit: "2Gi" };
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** The `minio server` volume arguments: `/data` for one pod, else every pod's URL with MinIO's ellipsis syntax. */
export function minioServerVolumes(
  name: string,
  namespace: string,
  replicas: number,
  clusterDomain = "cluster.local",
): string[] {
  if (replicas === 1) return [MINIO_DATA_DIR];
  return [
    `http://${name}-{0...${replicas - 1}}.${name}-hl.${namespace}.svc.${clusterDomain}:${MINIO_PORT}${MINIO_DATA_DIR}`,
  ];
}

/**
 * MinIO's props checked, with their defaults.
 * @throws Error when a name, count, quantity or key name is malformed, when the key server has no endpoint, or
 *   when rootPassword is a literal.
 */
function checkMinioProps(props: MinioProps) {
  const name = props.name ?? "minio";
  const namespace = props.namespace ?? "default";
  const replicas = props.replicas ?? 4;
  const domain = props.clusterDomain ?? "cluster.local";
  const storage = props.storage ?? "10Gi";
  checkDnsLabel("name", name, 50);
  checkDnsLabel("namespace", namespace);
  checkCount("replicas", replicas, 1, MAX_MINIO_REPLICAS);
  check("image", props.image, imageProblem, `"${DEFAULT_MINIO_IMAGE}"`);
  check("storageClassName", props.storageClassName, dnsSubdomainProblem, '"standard"');
  if (!Token.isUnresolved(props.defaultKeyName)) checkKeyName("defaultKeyName", props.defaultKeyName);
  if (!Token.isUnresolved(storage) && !QUANTITY.test(storage)) {
    throw new Error(`storage ${JSON.stringify(storage)} is not a Kubernetes quantity: use e.g. "10Gi"`);
  }
  const endpoints = props.keyServer.keyServerEndpoints;
  if (endpoints.length === 0) throw new Error("keyServer has no endpoint: pass a KeyServer");
  if (props.rootPassword !== undefined && !Token.isUnresolved(props.rootPassword)) {
    throw new Error(
      "rootPassword is a literal, which would be written into cdk.tf.json: pass a token such as a random_password's result, or leave it out",
    );
  }
  return { name, namespace, replicas, domain, storage, endpoints };
}

/**
 * MinIO as a StatefulSet (volume claim templates, headless Service and Service, root credentials Secret),
 * using the key server for SSE through MINIO_KMS_KES_*. No dependency on the MinIO Operator.
 * Child ids are stable: RootPassword, RootSecret, KesSecret, HeadlessService, Service, StatefulSet.
 * @see ../../docs/kubernetes.md#the-key-servers-pod (MinIO's environment)
 */
export class Minio extends Construct {
  /** S3 endpoint inside the cluster. */
  public readonly minioEndpoint: string;
  /** Labels of MinIO's pods (for the key server's NetworkPolicy). */
  public readonly minioPodLabels: Record<string, string>;
  /** Name of the root credentials Secret. */
  public readonly rootSecretName: string;
  /** The StatefulSet (escape hatch). */
  public readonly statefulSet: StatefulSetV1;
  public readonly service: ServiceV1;
  public readonly headlessService: ServiceV1;
  public readonly rootSecret: SecretV1;
  public readonly kesSecret?: SecretV1;

  /**
   * @throws Error when a name, count, quantity or key name is malformed, when the key server has no endpoint, or
   *   when rootPassword is a literal.
   */
  constructor(scope: Construct, id: string, props: MinioProps) {
    super(scope, id);
    const { name, namespace, replicas, domain, storage, endpoints } = checkMinioProps(props);

    const labels = workloadLabels(MINIO_COMPONENT, name);
    const selector = selectorLabels(MINIO_COMPONENT, name);
    this.minioPodLabels = selector;
    const metadata = { name, namespace, labels };

    const rootPassword =
      props.rootPassword ?? new Password(this, "RootPassword", { length: 40, special: false }).result;
    this.rootSecretName = `${name}-root`;
    this.rootSecret = new SecretV1(this, "RootSecret", {
      metadata: { ...metadata, name: this.rootSecretName },
      type: "Opaque",
      data: {
        [MINIO_ROOT_SECRET_KEYS.user]: props.rootUser ?? "minio-root",
        [MINIO_ROOT_SECRET_KEYS.password]: rootPassword,
      },
    });

    const tls = props.keyServerTls;
    const client = props.kesClient;
    const kesData: Record<string, string> = {};
    if (client.certificate) {
      kesData[MINIO_KES_SECRET_KEYS.clientCert] = client.certificate.certPem;
      kesData[MINIO_KES_SECRET_KEYS.clientKey] = client.certificate.keyPem;
    }
    if (tls.pem) kesData[MINIO_KES_SECRET_KEYS.caCert] = tls.pem.caPem;
    const kesSecretName = `${name}-kes`;
    if (Object.keys(kesData).length > 0) {
      this.kesSecret = new SecretV1(this, "KesSecret", {
        metadata: { ...metadata, name: kesSecretName },
        type: "Opaque",
        data: kesData,
      });
    }

    const secretRef = (secret: string, key: string) => ({
      valueFrom: { secretKeyRef: { name: secret, key } },
    });
    const caFile = tls.pem ? MINIO_KES_CA_FILE : `${MINIO_KES_EXTERNAL_CA_DIR}/ca.crt`;
    const env: StatefulSetV1SpecTemplateSpecContainerEnv[] = [
      { name: "MINIO_ROOT_USER", ...secretRef(this.rootSecret.metadata.name, MINIO_ROOT_SECRET_KEYS.user) },
      {
        name: "MINIO_ROOT_PASSWORD",
        ...secretRef(this.rootSecret.metadata.name, MINIO_ROOT_SECRET_KEYS.password),
      },
      { name: "MINIO_KMS_KES_ENDPOINT", value: endpoints.join(",") },
      { name: "MINIO_KMS_KES_KEY_NAME", value: props.defaultKeyName },
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
    if (props.autoEncryption) env.push({ name: "MINIO_KMS_AUTO_ENCRYPTION", value: "on" });

    const kesSecretRef = this.kesSecret?.metadata.name;
    const pod = new PodVolumes<
      StatefulSetV1SpecTemplateSpecVolume,
      StatefulSetV1SpecTemplateSpecContainerVolumeMount
    >();
    pod.mountOnly("data", MINIO_DATA_DIR, true); // the volume claim template's
    pod.add({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, "/tmp", true);
    if (kesSecretRef !== undefined) {
      const items = Object.keys(kesData).map((key) => ({ key, path: key }));
      pod.add(
        { name: "kes", secret: { secretName: kesSecretRef, defaultMode: "0440", items } },
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

    const headlessName = `${name}-hl`;
    this.headlessService = new ServiceV1(this, "HeadlessService", {
      metadata: { ...metadata, name: headlessName },
      spec: {
        clusterIp: "None",
        publishNotReadyAddresses: true,
        selector,
        port: [{ name: "s3", port: MINIO_PORT, targetPort: String(MINIO_PORT), protocol: "TCP" }],
      },
    });
    this.service = new ServiceV1(this, "Service", {
      metadata,
      spec: {
        type: "ClusterIP",
        selector,
        port: [
          { name: "s3", port: MINIO_PORT, targetPort: String(MINIO_PORT), protocol: "TCP" },
          {
            name: "console",
            port: MINIO_CONSOLE_PORT,
            targetPort: String(MINIO_CONSOLE_PORT),
            protocol: "TCP",
          },
        ],
      },
    });
    this.minioEndpoint = ServiceAddress.minio(name, namespace, domain).endpoint;

    const probe = (path: string, failureThreshold: number) =>
      httpProbe({
        path,
        port: MINIO_PORT,
        scheme: "HTTP",
        initialDelaySeconds: 5,
        periodSeconds: 10,
        failureThreshold,
      });
    this.statefulSet = new StatefulSetV1(this, "StatefulSet", {
      metadata,
      waitForRollout: true,
      spec: {
        serviceName: this.headlessService.metadata.name,
        replicas: String(replicas),
        podManagementPolicy: "Parallel",
        selector: { matchLabels: selector },
        updateStrategy: [{ type: "RollingUpdate" }],
        template: {
          metadata: { labels },
          spec: {
            ...securePodSettings(),
            topologySpreadConstraint: spreadOver(selector, [NODE_TOPOLOGY]),
            container: [
              {
                name: MINIO_COMPONENT,
                ...secureContainerSettings(
                  props.image ?? DEFAULT_MINIO_IMAGE,
                  props.resources,
                  DEFAULT_RESOURCES,
                ),
                command: ["minio"],
                args: [
                  "server",
                  "--address",
                  `:${MINIO_PORT}`,
                  "--console-address",
                  `:${MINIO_CONSOLE_PORT}`,
                  "--certs-dir",
                  MINIO_CERTS_DIR,
                  ...minioServerVolumes(name, namespace, replicas, domain),
                ],
                env,
                port: [
                  { name: "s3", containerPort: MINIO_PORT, protocol: "TCP" },
                  { name: "console", containerPort: MINIO_CONSOLE_PORT, protocol: "TCP" },
                ],
                livenessProbe: probe("/minio/health/live", 6),
                readinessProbe: probe("/minio/health/ready", 3),
                volumeMount: pod.mounts,
              },
            ],
            volume: pod.volumes,
          },
        },
        volumeClaimTemplate: [
          {
            metadata: { name: "data", labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(props.storageClassName === undefined ? {} : { storageClassName: props.storageClassName }),
              resources: { requests: { storage } },
            },
          },
        ],
      },
    });
  }
}
