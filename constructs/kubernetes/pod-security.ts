/**
 * The secure defaults every pod of the kit runs with: non-root uid 1000 (the `node` user of the official
 * image), no privilege escalation, read-only root filesystem, all capabilities dropped, RuntimeDefault seccomp.
 * @see ../../docs/kubernetes.md#the-key-servers-pod
 */

/** uid/gid the containers run as. */
export const RUN_AS_USER = 1000;

/** Pod-level security context (provider spelling, camelCase as the bindings take it). */
export function podSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: String(RUN_AS_USER),
    runAsGroup: String(RUN_AS_USER),
    fsGroup: String(RUN_AS_USER),
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Container-level security context.
 * @param addCapabilities Capabilities to add back after dropping ALL (e.g. IPC_LOCK for mlock).
 */
export function containerSecurityContext(addCapabilities: readonly string[] = []) {
  return {
    runAsNonRoot: true,
    runAsUser: String(RUN_AS_USER),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"], ...(addCapabilities.length > 0 ? { add: [...addCapabilities] } : {}) },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Resource requests and limits of one container (Kubernetes quantities). */
export interface ResourceSettings {
  /** @default - per workload */
  readonly cpuRequest?: string;
  /** @default - per workload */
  readonly memoryRequest?: string;
  /** @default - per workload */
  readonly cpuLimit?: string;
  /** @default - per workload */
  readonly memoryLimit?: string;
}

/** The `resources` block from settings over defaults. */
export function resourceBlock(settings: ResourceSettings | undefined, defaults: Required<ResourceSettings>) {
  const s = { ...defaults, ...settings };
  return {
    requests: { cpu: s.cpuRequest, memory: s.memoryRequest },
    limits: { cpu: s.cpuLimit, memory: s.memoryLimit },
  };
}
