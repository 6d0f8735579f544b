import { Password } from "@cdktf/provider-random/lib/password";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import {
  StatefulSetV1,
  type StatefulSetV1SpecTemplateSpecContainer,
  type StatefulSetV1SpecTemplateSpecContainerEnv,
} from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { IKeyServer } from "./key-server";
import type { KeyServerTls } from "./key-server-tls";
import { ServiceAddress } from "./service-address";
import {
  checkCount,
  checkDnsLabel,
  selectorLabels,
  workloadMetadata,
  type WorkloadMetadata,
} from "./kubernetes-names";
import { check, dnsSubdomainProblem, imageProblem, MAX_MINIO_REPLICAS } from "./workload-checks";
import { checkKeyName } from "./minio-key-policy";
import { minioEnv, minioKesSecretData, minioPodVolumes, minioProbe, type MinioPodVolumes } from "./minio-pod";
import {
  MINIO_CERTS_DIR,
  MINIO_CONSOLE_PORT,
  MINIO_DATA_DIR,
  MINIO_PORT,
  MINIO_ROOT_SECRET_KEYS,
} from "./paths";
import type { ResourceSettings } from "./pod-security";
import { NODE_TOPOLOGY, secureContainerSettings, securePodSettings, spreadOver } from "./pod-template";

/** `app.kubernetes.io/name` of MinIO's pods. */
export const MINIO_COMPONENT = "minio";
/** MinIO image used when none is given: the last community release published as an image. Pin your own. */
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

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

/** What MinIO's pods are made of besides the objects they refer to. */
interface MinioPod {
  readonly replicas: number;
  readonly storage: string;
  /** The `minio server` volume arguments. */
  readonly serverArgs: string[];
  readonly env: StatefulSetV1SpecTemplateSpecContainerEnv[];
  readonly volumes: MinioPodVolumes;
}

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
    const metadata = workloadMetadata(MINIO_COMPONENT, name, namespace);
    const selector = selectorLabels(MINIO_COMPONENT, name);
    this.minioPodLabels = selector;

    this.rootSecretName = `${name}-root`;
    this.rootSecret = this.createRootSecret(metadata, props);
    const kesData = minioKesSecretData(props.kesClient, props.keyServerTls);
    if (Object.keys(kesData).length > 0) this.kesSecret = this.createKesSecret(metadata, kesData);

    this.headlessService = this.createHeadlessService(metadata, selector);
    this.service = this.createService(metadata, selector);
    this.minioEndpoint = ServiceAddress.minio(name, namespace, domain).endpoint;

    this.statefulSet = this.createStatefulSet(metadata, selector, props, {
      replicas,
      storage,
      serverArgs: minioServerVolumes(name, namespace, replicas, domain),
      env: minioEnv({
        ...props,
        rootSecretName: this.rootSecret.metadata.name,
        keyServerEndpoints: endpoints,
      }),
      volumes: minioPodVolumes(
        this.kesSecret && { name: this.kesSecret.metadata.name, keys: Object.keys(kesData) },
        props.keyServerTls,
      ),
    });
  }

  /** The root credentials Secret; the password is generated at apply time unless given (child id RootPassword). */
  private createRootSecret(metadata: WorkloadMetadata, props: MinioProps): SecretV1 {
    const rootPassword =
      props.rootPassword ?? new Password(this, "RootPassword", { length: 40, special: false }).result;
    return new SecretV1(this, "RootSecret", {
      metadata: { ...metadata, name: this.rootSecretName },
      type: "Opaque",
      data: {
        [MINIO_ROOT_SECRET_KEYS.user]: props.rootUser ?? "minio-root",
        [MINIO_ROOT_SECRET_KEYS.password]: rootPassword,
      },
    });
  }

  /** The Secret `<name>-kes` with MinIO's credentials towards the key server and the key server's CA. */
  private createKesSecret(metadata: WorkloadMetadata, data: Record<string, string>): SecretV1 {
    return new SecretV1(this, "KesSecret", {
      metadata: { ...metadata, name: `${metadata.name}-kes` },
      type: "Opaque",
      data,
    });
  }

  /** The headless Service `<name>-hl` that gives each pod the DNS name the server's volume URLs use. */
  private createHeadlessService(metadata: WorkloadMetadata, selector: Record<string, string>): ServiceV1 {
    return new ServiceV1(this, "HeadlessService", {
      metadata: { ...metadata, name: `${metadata.name}-hl` },
      spec: {
        clusterIp: "None",
        publishNotReadyAddresses: true,
        selector,
        port: [{ name: "s3", port: MINIO_PORT, targetPort: String(MINIO_PORT), protocol: "TCP" }],
      },
    });
  }

  /** The ClusterIP Service clients use: S3 and the console. */
  private createService(metadata: WorkloadMetadata, selector: Record<string, string>): ServiceV1 {
    return new ServiceV1(this, "Service", {
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
  }

  /** The StatefulSet: pods started in parallel, spread over nodes, one volume claim each. */
  private createStatefulSet(
    metadata: WorkloadMetadata,
    selector: Record<string, string>,
    props: MinioProps,
    pod: MinioPod,
  ): StatefulSetV1 {
    return new StatefulSetV1(this, "StatefulSet", {
      metadata,
      waitForRollout: true,
      spec: {
        serviceName: this.headlessService.metadata.name,
        replicas: String(pod.replicas),
        podManagementPolicy: "Parallel",
        selector: { matchLabels: selector },
        updateStrategy: [{ type: "RollingUpdate" }],
        template: {
          metadata: { labels: metadata.labels },
          spec: {
            ...securePodSettings(),
            topologySpreadConstraint: spreadOver(selector, [NODE_TOPOLOGY]),
            container: [this.container(props, pod)],
            volume: pod.volumes.volumes,
          },
        },
        volumeClaimTemplate: [
          {
            metadata: { name: "data", labels: metadata.labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(props.storageClassName === undefined ? {} : { storageClassName: props.storageClassName }),
              resources: { requests: { storage: pod.storage } },
            },
          },
        ],
      },
    });
  }

  /** The one container: `minio server` over every pod's drive, hardened, probed on MinIO's health endpoints. */
  private container(props: MinioProps, pod: MinioPod): StatefulSetV1SpecTemplateSpecContainer {
    return {
      name: MINIO_COMPONENT,
      ...secureContainerSettings(props.image ?? DEFAULT_MINIO_IMAGE, props.resources, DEFAULT_RESOURCES),
      command: ["minio"],
      args: [
        "server",
        "--address",
        `:${MINIO_PORT}`,
        "--console-address",
        `:${MINIO_CONSOLE_PORT}`,
        "--certs-dir",
        MINIO_CERTS_DIR,
        ...pod.serverArgs,
      ],
      env: pod.env,
      port: [
        { name: "s3", containerPort: MINIO_PORT, protocol: "TCP" },
        { name: "console", containerPort: MINIO_CONSOLE_PORT, protocol: "TCP" },
      ],
      livenessProbe: minioProbe("/minio/health/live", 6),
      readinessProbe: minioProbe("/minio/health/ready", 3),
      volumeMount: pod.volumes.mounts,
    };
  }
}
