import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpecContainer,
  type DeploymentV1SpecTemplateSpecContainerEnv,
  type DeploymentV1SpecTemplateSpecContainerVolumeMount,
  type DeploymentV1SpecTemplateSpecVolume,
  type DeploymentV1SpecTemplateSpecVolumeSecretItems,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Fn, Lazy, Token } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { createHash } from "node:crypto";
import { Duration } from "../duration";
import type { IKeystore } from "../vault/keystore";
import {
  checkPolicyName,
  keyServerConfig,
  renderKeyServerConfig,
  type KeyServerClientPolicy,
  type KeyServerConfigInput,
} from "./key-server-config";
import { KeyServerTls } from "./key-server-tls";
import {
  checkCount,
  checkDnsLabel,
  selectorLabels,
  workloadMetadata,
  type WorkloadMetadata,
} from "./kubernetes-names";
import { MAX_KEY_SERVER_REPLICAS } from "./workload-checks";
import type { KeyPolicyPatterns } from "./minio-key-policy";
import { keyServerEnv, keyServerProbe } from "./key-server-container";
import {
  KEYSERVER_BUNDLE_DIR,
  KEYSERVER_CLIENTS_DIR,
  KEYSERVER_CONFIG_DIR,
  KEYSERVER_CONFIG_FILE,
  KEYSERVER_CONFIG_MAP_KEYS,
  KEYSERVER_PORT,
  KEYSERVER_SECRET_KEYS,
  KEYSERVER_TLS_DIR,
  KEYSERVER_TMP_DIR,
  KEYSERVER_VAULT_TOKEN_DIR,
} from "./paths";
import type { ResourceSettings } from "./pod-security";
import {
  NODE_TOPOLOGY,
  PodVolumes,
  secureContainerSettings,
  securePodSettings,
  spreadOver,
  ZONE_TOPOLOGY,
} from "./pod-template";
import { runtimeBundleFile, sensitiveFileText } from "./runtime-bundle-asset";
import { RuntimeSource, type RuntimeBundle } from "./runtime-source";
import { ServiceAddress } from "./service-address";
import { escapeTerraformLiteral } from "./terraform-escape";

/**
 * Annotation on the pod template: sha256 of the config and the bundle's sha256 (or of the config and the image
 * reference), known at synth.
 */
export const CONFIG_CHECKSUM_ANNOTATION = "kes-vault-kit/checksum-config";
/** Annotation on the pod template: sha256 of the Secret's data (computed by Terraform, non-sensitive). */
export const SECRET_CHECKSUM_ANNOTATION = "kes-vault-kit/checksum-secret";
/** `app.kubernetes.io/name` of the key server's pods. */
export const KEYSERVER_COMPONENT = "keyserver";

/** A key server other constructs (MinIO, outputs) refer to. */
export interface IKeyServer extends IConstruct {
  /** Every endpoint clients use, `https://<service DNS name>:7373`. */
  readonly keyServerEndpoints: string[];
  /** DNS names of the Service (the certificate's SANs). */
  readonly keyServerDnsNames: string[];
  /** Name of the Service. */
  readonly keyServerServiceName: string;
  /** Namespace of the key server. */
  readonly keyServerNamespace: string;
}

/**
 * A client of the key server, identified by its certificate (the server computes the identity). Its certificate
 * is stored as `<policyName>.crt` in the key server's Secret and mounted under /etc/keyserver/clients.
 */
export interface KeyServerClient {
  /** Policy name in the key server config ([0-9A-Za-z_-]), unique per key server, e.g. "minio". */
  readonly policyName: string;
  /** Client certificate (PEM), usually a token of a tls_* resource. */
  readonly certPem: string;
  /** What the client may call, e.g. `minioKeyPolicy("payments-")`. */
  readonly patterns: KeyPolicyPatterns;
}

/** Which pods may reach the key server when the NetworkPolicy is on. */
export interface KeyServerNetworkPolicyOptions {
  /** Labels of the client pods (in the key server's namespace) allowed on port 7373, e.g. MinIO's. */
  readonly clientPodLabels: Readonly<Record<string, string>>;
  /**
   * CIDR blocks also allowed on 7373, e.g. the nodes' range where the CNI subjects kubelet probes to policies.
   * @default - none
   */
  readonly probeCidrs?: string[];
}

export interface KeyServerProps {
  /** Keystore the server uses; its config is rendered from the keystore's spec. */
  readonly keystore: IKeystore;
  /** Vault address the pods reach, e.g. "https://vault.vault.svc:8200". */
  readonly vaultEndpoint: string;
  /** The server's TLS certificate, e.g. `KeyServerTls.fromPem(identities.keyServerTls)`. */
  readonly tls: KeyServerTls;
  /**
   * Clients and their policies, e.g. MinIO's certificate with `minioKeyPolicy(prefix)`. More can be added with
   * `addClient`; at least one must be there at synth.
   * @default - none yet
   */
  readonly clients?: KeyServerClient[];
  /**
   * Name of the Deployment, Service, Secret, ConfigMap, service account and PDB.
   * @default "keyserver"
   */
  readonly name?: string;
  /**
   * Kubernetes namespace (it must exist, or be created by the stack).
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Cluster DNS domain, for the Service DNS names.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
  /**
   * Number of key server pods.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Where the code comes from.
   * @default RuntimeSource.fromBundle() - runtime/dist/keyserver.cjs in the ConfigMap, run by the node image
   */
  readonly runtime?: RuntimeSource;
  /**
   * Requests and limits of the container.
   * @default - requests 100m CPU / 128Mi, limits 1 CPU / 256Mi
   */
  readonly resources?: ResourceSettings;
  /**
   * Add the IPC_LOCK capability (for runtimes that lock memory).
   * @default false
   */
  readonly allowMemoryLock?: boolean;
  /**
   * A NetworkPolicy letting only the given pods (and CIDRs) reach port 7373.
   * @default - no NetworkPolicy
   */
  readonly networkPolicy?: KeyServerNetworkPolicyOptions;
  /**
   * Admin identity (hex SHA-256 of a public key); admin may do everything, including delete.
   * @default "disabled" - no admin
   */
  readonly adminIdentity?: string;
  /**
   * Keep cached keys this long while Vault is unreachable, e.g. `Duration.minutes(5)`.
   * @default - not kept beyond the normal cache expiry
   */
  readonly cacheOfflineExpiry?: Duration;
  /**
   * Lifetime of the projected service-account token the key server logs in to Vault with (Kubernetes login;
   * the kubelet renews it at 80 %). Its audience is the keystore's `kubernetesAudience`.
   * @default Duration.seconds(600) - the minimum Kubernetes allows
   */
  readonly serviceAccountTokenLifetime?: Duration;
}

const DEFAULT_RESOURCES = { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "1", memoryLimit: "256Mi" };
const CIDR = /^([0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}|[0-9A-Fa-f:]+\/[0-9]{1,3})$/;

/** Key of a client's certificate in the Secret, and its file name under /etc/keyserver/clients. */
function clientCertKey(client: KeyServerClient): string {
  return `${client.policyName}.crt`;
}

function sha256(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}

/**
 * The config checksum: sha256 of a config and the code that runs it (the bundle's sha256, or the image), computed again
 * only when the config differs from the last one asked about.
 */
function checksumMemo(code: string): (configYaml: string) => string {
  let last: { readonly configYaml: string; readonly value: string } | undefined;
  return (configYaml) => {
    if (last?.configYaml !== configYaml) last = { configYaml, value: sha256(configYaml, code) };
    return last.value;
  };
}

/** The key server pod's volumes with their mounts, in the Deployment binding's types. */
type KeyServerPodVolumes = PodVolumes<
  DeploymentV1SpecTemplateSpecVolume,
  DeploymentV1SpecTemplateSpecContainerVolumeMount
>;

/** What the key server's pod is made of besides the objects it refers to. */
interface KeyServerPod {
  readonly replicas: number;
  readonly env: DeploymentV1SpecTemplateSpecContainerEnv[];
  readonly volumes: KeyServerPodVolumes;
}

/**
 * The key server's props checked, with their defaults.
 * @throws Error when a name, count, CIDR or token lifetime is malformed, when the Vault endpoint is not an http(s)
 *   URL, or when the keystore's AppRole credentials cannot be delivered (wrapped or missing).
 */
function checkKeyServerProps(props: KeyServerProps) {
  const name = props.name ?? "keyserver";
  const namespace = props.namespace ?? "default";
  const replicas = props.replicas ?? 2;
  checkDnsLabel("name", name, 52);
  checkDnsLabel("namespace", namespace);
  checkCount("replicas", replicas, 1, MAX_KEY_SERVER_REPLICAS);
  if (
    !Token.isUnresolved(props.vaultEndpoint) &&
    !/^https?:\/\/[^\s/]+(:[0-9]+)?\/?$/.test(props.vaultEndpoint)
  ) {
    throw new Error(
      `vaultEndpoint ${JSON.stringify(props.vaultEndpoint)} must be an http(s) URL without a path: e.g. "https://vault.vault.svc:8200"`,
    );
  }
  for (const cidr of props.networkPolicy?.probeCidrs ?? []) {
    if (!CIDR.test(cidr))
      throw new Error(
        `networkPolicy.probeCidrs entry ${JSON.stringify(cidr)} is not a CIDR block: use e.g. "10.0.0.0/16"`,
      );
  }
  const tokenSeconds = (props.serviceAccountTokenLifetime ?? Duration.seconds(600)).toSeconds();
  if (tokenSeconds < 600) {
    throw new Error(
      `serviceAccountTokenLifetime ${props.serviceAccountTokenLifetime?.toGoString()} is shorter than 600 s, the Kubernetes minimum: use e.g. Duration.hours(1)`,
    );
  }
  if (props.keystore.secretIdWrappingToken !== undefined) {
    throw new Error(
      "keystore's secret-id is response-wrapped, but the key server logs in with the secret-id itself: drop responseWrappingTtl from KeystoreLogin.appRole(...), or deliver the secret-id yourself",
    );
  }
  const appRole = props.keystore.spec.keystoreConfig().approle !== undefined;
  if (appRole && (props.keystore.roleId === undefined || props.keystore.secretId === undefined)) {
    throw new Error(
      "keystore has no role-id/secret-id although it logs in with AppRole: pass the Keystore construct that created the AppRole",
    );
  }
  return { name, namespace, replicas, tokenSeconds, appRole };
}

/**
 * Defines a KES-compatible key server on Kubernetes, wired to a Vault keystore: service account, Secret
 * (role-id, secret-id, TLS, client certificates), ConfigMap (config rendered from the keystore spec; the
 * runtime bundle, from the app's one bundle file and marked sensitive), Deployment, Service on 7373,
 * PodDisruptionBudget and an optional NetworkPolicy.
 * Child ids are stable: ServiceAccount, Secret, ConfigMap, Deployment, Service, Pdb, NetworkPolicy.
 */
export class KeyServer extends Construct implements IKeyServer {
  public readonly keyServerEndpoints: string[];
  public readonly keyServerDnsNames: string[];
  public readonly keyServerServiceName: string;
  public readonly keyServerNamespace: string;

  /** The Deployment (escape hatch). */
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  public readonly secret: SecretV1;
  public readonly configMap: ConfigMapV1;
  public readonly serviceAccount: ServiceAccountV1;
  public readonly podDisruptionBudget: PodDisruptionBudgetV1;
  public readonly networkPolicy?: NetworkPolicyV1;
  private readonly clients: KeyServerClient[] = [];
  private readonly renderConfig: () => string;
  private readonly checksumOf: (configYaml: string) => string;

  /**
   * @throws Error when a name, count, CIDR or duration is malformed, when the Vault endpoint is not an http(s)
   *   URL, when the keystore's secret-id is response-wrapped (the server needs the secret-id itself), when the
   *   bundle is missing or too large (see RuntimeSource.readBundle), or from `addClient`. A key server left
   *   without any client fails the synth (validation).
   */
  constructor(scope: Construct, id: string, props: KeyServerProps) {
    super(scope, id);
    const { name, namespace, replicas, tokenSeconds, appRole } = checkKeyServerProps(props);
    const runtime = props.runtime ?? RuntimeSource.fromBundle();
    const bundle = runtime.loadBundle();
    const metadata = workloadMetadata(KEYSERVER_COMPONENT, name, namespace);
    const selector = selectorLabels(KEYSERVER_COMPONENT, name);

    this.keyServerNamespace = namespace;
    const address = ServiceAddress.keyServer(name, namespace, props.clusterDomain);
    this.keyServerDnsNames = address.dnsNames;
    this.keyServerEndpoints = [address.endpoint];

    for (const client of props.clients ?? []) this.addClient(client);
    this.node.addValidation({ validate: () => this.missingClientErrors() });
    this.renderConfig = this.configRenderer(props);
    // The bundle's digest (hashed once per bundle, RuntimeSource.loadBundle), not its 200 KB per tenant.
    this.checksumOf = checksumMemo(bundle?.sha256 ?? runtime.image);

    this.serviceAccount = this.createServiceAccount(metadata);
    this.secret = this.createSecret(metadata, props, appRole);
    this.configMap = this.createConfigMap(metadata, bundle);
    this.deployment = this.createDeployment(metadata, selector, props, runtime, {
      replicas,
      env: keyServerEnv(this.secret.metadata.name, appRole),
      volumes: this.podVolumes({
        secretName: this.secret.metadata.name,
        configMapName: this.configMap.metadata.name,
        tls: props.tls,
        vaultToken: appRole
          ? undefined
          : { expirationSeconds: tokenSeconds, audience: props.keystore.kubernetesAudience },
        bundle: bundle !== undefined,
      }),
    });
    this.service = this.createService(metadata, selector);
    this.keyServerServiceName = name;
    this.podDisruptionBudget = this.createPodDisruptionBudget(metadata, selector);
    if (props.networkPolicy) {
      this.networkPolicy = this.createNetworkPolicy(metadata, selector, props.networkPolicy);
    }
  }

  /** The synth-time validation's errors: none once at least one client is there. */
  private missingClientErrors(): string[] {
    return this.clients.length === 0
      ? [
          "clients [] is empty, so no one could use the key server: pass MinIO's certificate with minioKeyPolicy(<prefix>), or call addClient",
        ]
      : [];
  }

  /**
   * The config renderer. It renders when read (at synth for the ConfigMap and the checksum), so clients added
   * later are in it; read twice per synth, it renders again only when the clients' policies differ from the last
   * rendering's (a fleet's synth renders each tenant's config once). The config's own checks run now rather than
   * at synth (no YAML yet).
   */
  private configRenderer(props: KeyServerProps): () => string {
    const keystoreConfig = props.keystore.spec.keystoreConfig();
    const configInput = (): KeyServerConfigInput => ({
      keystore: keystoreConfig,
      vaultEndpoint: props.vaultEndpoint,
      clients: this.clients.map(
        (c): KeyServerClientPolicy => ({
          policyName: c.policyName,
          certFile: `${KEYSERVER_CLIENTS_DIR}/${clientCertKey(c)}`,
          patterns: c.patterns,
        }),
      ),
      adminIdentity: props.adminIdentity,
      cacheOfflineExpiry: props.cacheOfflineExpiry?.toGoString(),
    });
    let rendered: { readonly clients: string; readonly yaml: string } | undefined;
    keyServerConfig(configInput());
    return () => {
      const input = configInput();
      const key = JSON.stringify(input.clients);
      if (rendered?.clients !== key) rendered = { clients: key, yaml: renderKeyServerConfig(input) };
      return rendered.yaml;
    };
  }

  /**
   * The service account. Never the automounted token (an API credential for anything in the pod): with
   * Kubernetes login the key server gets a projected token for Vault's audience only, in a volume of its own.
   */
  private createServiceAccount(metadata: WorkloadMetadata): ServiceAccountV1 {
    return new ServiceAccountV1(this, "ServiceAccount", {
      metadata,
      automountServiceAccountToken: false,
    });
  }

  /** The Secret: AppRole role-id and secret-id, the server's TLS (when given as PEM), the clients' certificates. */
  private createSecret(metadata: WorkloadMetadata, props: KeyServerProps, appRole: boolean): SecretV1 {
    const ks = props.keystore;
    const secretData: Record<string, string> = {};
    if (appRole) {
      secretData[KEYSERVER_SECRET_KEYS.roleId] = ks.roleId as string;
      secretData[KEYSERVER_SECRET_KEYS.secretId] = ks.secretId as string;
    }
    const tls = props.tls;
    if (tls.pem) {
      secretData[KEYSERVER_SECRET_KEYS.tlsKey] = tls.pem.keyPem;
      secretData[KEYSERVER_SECRET_KEYS.tlsCert] = tls.pem.certPem;
      secretData[KEYSERVER_SECRET_KEYS.caCert] = tls.pem.caPem;
    }
    return new SecretV1(this, "Secret", {
      metadata,
      type: "Opaque",
      data: Token.asStringMap(
        Lazy.anyValue({
          produce: () => ({
            ...secretData,
            ...Object.fromEntries(this.clients.map((c) => [clientCertKey(c), c.certPem])),
          }),
        }),
      ),
    });
  }

  /**
   * The ConfigMap: the config as literal text (its ${ENV} references are not Terraform's), and the bundle. The
   * bundle is the app's one file in cdktf.out, read by Terraform and marked sensitive: cdk.tf.json names it
   * instead of repeating it per tenant, and plans do not print it (the checksum annotation shows a new bundle).
   */
  private createConfigMap(metadata: WorkloadMetadata, bundle: RuntimeBundle | undefined): ConfigMapV1 {
    const configData: Record<string, string> = {
      [KEYSERVER_CONFIG_MAP_KEYS.config]: Lazy.stringValue({
        produce: () => escapeTerraformLiteral(this.configYaml),
      }),
    };
    if (bundle !== undefined) {
      configData[KEYSERVER_CONFIG_MAP_KEYS.bundle] = sensitiveFileText(runtimeBundleFile(this, bundle));
    }
    return new ConfigMapV1(this, "ConfigMap", { metadata, data: configData });
  }

  /**
   * The Deployment: rolling one pod at a time with no loss of capacity, spread over nodes and zones, rolled
   * again when the config, the bundle or the Secret changes (checksum annotations).
   */
  private createDeployment(
    metadata: WorkloadMetadata,
    selector: Record<string, string>,
    props: KeyServerProps,
    runtime: RuntimeSource,
    pod: KeyServerPod,
  ): DeploymentV1 {
    const secretChecksum = Fn.nonsensitive(Fn.sha256(Fn.jsonencode(this.secret.data)));
    return new DeploymentV1(this, "Deployment", {
      metadata,
      waitForRollout: true,
      spec: {
        replicas: String(pod.replicas),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "1", maxUnavailable: "0" } },
        template: {
          metadata: {
            labels: metadata.labels,
            annotations: {
              [CONFIG_CHECKSUM_ANNOTATION]: Lazy.stringValue({ produce: () => this.configChecksum }),
              [SECRET_CHECKSUM_ANNOTATION]: secretChecksum,
            },
          },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            ...securePodSettings(),
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraint: spreadOver(selector, [NODE_TOPOLOGY, ZONE_TOPOLOGY]),
            container: [this.container(props, runtime, pod)],
            volume: pod.volumes.volumes,
          },
        },
      },
    });
  }

  /** The one container: node runs the bundle's `server` command, hardened, probed on /v1/ready over HTTPS. */
  private container(
    props: KeyServerProps,
    runtime: RuntimeSource,
    pod: KeyServerPod,
  ): DeploymentV1SpecTemplateSpecContainer {
    return {
      name: KEYSERVER_COMPONENT,
      ...secureContainerSettings(
        runtime.image,
        props.resources,
        DEFAULT_RESOURCES,
        props.allowMemoryLock ? ["IPC_LOCK"] : [],
      ),
      command: ["node"],
      args: [runtime.entryFile, "server", "--config", KEYSERVER_CONFIG_FILE],
      env: pod.env,
      port: [{ name: "https", containerPort: KEYSERVER_PORT, protocol: "TCP" }],
      readinessProbe: keyServerProbe(3, 10),
      livenessProbe: keyServerProbe(6, 20),
      volumeMount: pod.volumes.mounts,
    };
  }

  /** The ClusterIP Service on 7373 that clients reach (the certificate's SANs are its DNS names). */
  private createService(metadata: WorkloadMetadata, selector: Record<string, string>): ServiceV1 {
    return new ServiceV1(this, "Service", {
      metadata,
      spec: {
        type: "ClusterIP",
        selector,
        port: [{ name: "https", port: KEYSERVER_PORT, targetPort: String(KEYSERVER_PORT), protocol: "TCP" }],
      },
    });
  }

  /** At most one pod down at a time during voluntary disruptions. */
  private createPodDisruptionBudget(
    metadata: WorkloadMetadata,
    selector: Record<string, string>,
  ): PodDisruptionBudgetV1 {
    return new PodDisruptionBudgetV1(this, "Pdb", {
      metadata,
      spec: { maxUnavailable: "1", selector: { matchLabels: selector } },
    });
  }

  /** Ingress on 7373 from the client pods and the probe CIDRs only. */
  private createNetworkPolicy(
    metadata: WorkloadMetadata,
    selector: Record<string, string>,
    np: KeyServerNetworkPolicyOptions,
  ): NetworkPolicyV1 {
    return new NetworkPolicyV1(this, "NetworkPolicy", {
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            ports: [{ port: String(KEYSERVER_PORT), protocol: "TCP" }],
            from: [
              { podSelector: { matchLabels: { ...np.clientPodLabels } } },
              ...(np.probeCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
            ],
          },
        ],
      },
    });
  }

  /** The pod's volumes and their mounts: config, TLS, client certificates, scratch, Vault token, bundle. */
  private podVolumes(o: {
    readonly secretName: string;
    readonly configMapName: string;
    readonly tls: KeyServerTls;
    /** The projected service-account token (Kubernetes login only). */
    readonly vaultToken?: { readonly expirationSeconds: number; readonly audience?: string };
    readonly bundle: boolean;
  }): KeyServerPodVolumes {
    const pod: KeyServerPodVolumes = new PodVolumes();
    const configMapVolume = (volume: string, key: string, path: string) => ({
      name: volume,
      configMap: { name: o.configMapName, defaultMode: "0444", items: [{ key, path }] },
    });
    pod.add(configMapVolume("config", KEYSERVER_CONFIG_MAP_KEYS.config, "config.yaml"), KEYSERVER_CONFIG_DIR);
    pod.add(
      {
        name: "tls",
        secret: {
          secretName: o.tls.secretName ?? o.secretName,
          defaultMode: "0440",
          items: [
            { key: o.tls.keys.key, path: "tls.key" },
            { key: o.tls.keys.cert, path: "tls.crt" },
            { key: o.tls.keys.ca, path: "ca.crt" },
          ],
        },
      },
      KEYSERVER_TLS_DIR,
    );
    pod.add(
      {
        name: "clients",
        secret: {
          secretName: o.secretName,
          defaultMode: "0440",
          items: Lazy.anyValue({
            produce: () => this.clients.map((c) => ({ key: clientCertKey(c), path: clientCertKey(c) })),
          }) as unknown as DeploymentV1SpecTemplateSpecVolumeSecretItems[],
        },
      },
      KEYSERVER_CLIENTS_DIR,
    );
    pod.add({ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }, KEYSERVER_TMP_DIR, true);
    if (o.vaultToken) {
      const { expirationSeconds, audience } = o.vaultToken;
      const aud = audience === undefined ? {} : { audience };
      const token = { serviceAccountToken: { path: "token", expirationSeconds, ...aud } };
      pod.add(
        { name: "vault-token", projected: [{ defaultMode: "0440", sources: [token] }] },
        KEYSERVER_VAULT_TOKEN_DIR,
      );
    }
    if (o.bundle) {
      pod.add(
        configMapVolume("bundle", KEYSERVER_CONFIG_MAP_KEYS.bundle, "keyserver.cjs"),
        KEYSERVER_BUNDLE_DIR,
      );
    }
    return pod;
  }

  /** The rendered config file with the clients added so far (no secrets: they are `${ENV}` references). */
  public get configYaml(): string {
    return this.renderConfig();
  }

  /** sha256 of the config and the bundle's sha256 (or the image), the value of the config checksum annotation. */
  public get configChecksum(): string {
    return this.checksumOf(this.configYaml);
  }

  /**
   * Lets one more client use the key server: its certificate goes into the Secret as `<policyName>.crt` and its
   * policy into the config; the pods roll on the change (checksum annotations).
   * @throws Error when the policy name is malformed or already used by another client.
   */
  public addClient(client: KeyServerClient): void {
    if (this.clients.some((c) => c.policyName === client.policyName)) {
      throw new Error(
        `client policyName ${JSON.stringify(client.policyName)} is used twice on key server ${this.node.path}: give each client a policy name of its own, e.g. "${client.policyName}-2"`,
      );
    }
    checkPolicyName("clients policyName", client.policyName);
    this.clients.push(client);
  }
}
