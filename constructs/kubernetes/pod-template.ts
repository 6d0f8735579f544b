/**
 * The pod settings the key server's Deployment and MinIO's StatefulSet share, built in one place: the pod's
 * secure defaults, spreading over nodes (and zones), HTTP probes, and volumes declared with their mounts. Pure:
 * plain objects in the provider bindings' camelCase, which both workload kinds accept.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-topology-spread-constraints/
 */
import {
  containerSecurityContext,
  podSecurityContext,
  resourceBlock,
  type ResourceSettings,
} from "./pod-security";

/** Pod-level settings of every workload: no service-account token, no service links, the secure context. */
export function securePodSettings() {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: podSecurityContext(),
  };
}

/**
 * Container settings every workload shares: the image pulled if not present, the hardened security context and
 * the resource block.
 */
export function secureContainerSettings(
  image: string,
  resources: ResourceSettings | undefined,
  defaults: Required<ResourceSettings>,
  addCapabilities: readonly string[] = [],
) {
  return {
    image,
    imagePullPolicy: "IfNotPresent",
    resources: resourceBlock(resources, defaults),
    securityContext: containerSecurityContext(addCapabilities),
  };
}

/** Spread the pods of one workload (`selector`) over each topology key, scheduling anyway when it cannot. */
export function spreadOver(selector: Record<string, string>, topologyKeys: readonly string[]) {
  return topologyKeys.map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: [{ matchLabels: selector }],
  }));
}

/** Topology key of one node. */
export const NODE_TOPOLOGY = "kubernetes.io/hostname";
/** Topology key of one zone. */
export const ZONE_TOPOLOGY = "topology.kubernetes.io/zone";

/** An HTTP(S) GET probe on a container port, with a 5 s timeout. */
export function httpProbe(p: {
  readonly path: string;
  readonly port: number;
  readonly scheme: "HTTP" | "HTTPS";
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
}) {
  return {
    httpGet: { path: p.path, port: String(p.port), scheme: p.scheme },
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: 5,
    failureThreshold: p.failureThreshold,
  };
}

/**
 * The volumes of a pod and their mounts in the one container, added in pairs so that neither can be forgotten;
 * `V` and `M` are the workload binding's volume and mount types.
 */
export class PodVolumes<V extends { readonly name?: string }, M extends { readonly name?: string }> {
  public readonly volumes: V[] = [];
  public readonly mounts: M[] = [];

  /** A volume of the pod, mounted at `mountPath` (read-only unless `writable`). */
  public add(volume: V & { readonly name: string }, mountPath: string, writable = false): void {
    this.volumes.push(volume);
    this.mountOnly(volume.name, mountPath, writable);
  }

  /** A mount of a volume declared elsewhere (a StatefulSet's volume claim template). */
  public mountOnly(name: string, mountPath: string, writable = false): void {
    this.mounts.push((writable ? { name, mountPath } : { name, mountPath, readOnly: true }) as unknown as M);
  }
}
