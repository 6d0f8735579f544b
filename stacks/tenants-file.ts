/**
 * The tenants file (YAML): one Vault, an isolation mode and a list of tenants, validated with messages that
 * name the tenant and the field. Pure: parsing and validation only; tenants-stacks.ts builds the stacks.
 *
 * ```yaml
 * vault: { endpoint: https://vault.vault.svc:8200, kvEngine: kv, kvVersion: 1 }
 * isolation: prefix            # or: namespace
 * stackPerTenant: false
 * tenants:
 *   - name: payments
 *     keyServer: { replicas: 3 }
 *     minio: { replicas: 4, storage: 100Gi }
 *   - name: analytics
 *     vault: { login: kubernetes }   # or file-wide: vault.login (default approle)
 * ```
 */
import { parse, YAMLParseError } from "yaml";
import {
  certificateDnsNameProblem,
  dnsSubdomainProblem,
  imageProblem,
  ipAddressProblem,
  MAX_KEY_SERVER_REPLICAS,
  MAX_MINIO_REPLICAS,
} from "../constructs/kubernetes/workload-checks";

/** How tenants are kept apart in Vault. */
export type Isolation = "prefix" | "namespace";

/**
 * How a tenant's key server logs in to Vault: `approle` (a role-id and a secret-id delivered in a Secret) or
 * `kubernetes` (its own projected service-account token, checked by Vault with a TokenReview: no secret-id).
 */
export type VaultLogin = "approle" | "kubernetes";

/** Vault settings shared by all tenants. */
export interface TenantsVaultSettings {
  /** Vault address the key server pods reach. */
  readonly endpoint: string;
  readonly kvEngine: string;
  readonly kvVersion: 1 | 2;
  readonly authEngine: string;
  /** The vault provider's `vault_version_override` (e.g. "1.14.0" against OpenBao). */
  readonly versionOverride?: string;
  /** Namespace mode: parent namespace of the tenants' namespaces ("" = root). */
  readonly parentNamespace: string;
  /**
   * Namespace mode: the namespace of the one AppRole mount all tenants log in through ("/" = root), when it is
   * not each tenant's own namespace. Policies and roles then live there, named per tenant.
   */
  readonly authNamespace?: string;
  /** Login of the tenants that do not set their own `vault.login`. */
  readonly login: VaultLogin;
  /** Audience the key server's projected token carries and its Kubernetes auth role requires. */
  readonly kubernetesAudience: string;
}

/** Kubernetes settings shared by all tenants. */
export interface TenantsKubernetesSettings {
  readonly clusterDomain: string;
  /** Create each tenant's Kubernetes namespace. */
  readonly createNamespaces: boolean;
  /** The API server's address as Vault reaches it (required when a tenant logs in with kubernetes). */
  readonly apiServer?: string;
  /** PEM of the CA the API server's certificate chains to (default: Vault's system CAs). */
  readonly apiServerCaCert?: string;
}

/** One tenant after validation, defaults filled in. */
export interface TenantEntry {
  readonly name: string;
  /** K/V prefix of the tenant's keys. */
  readonly prefix: string;
  /** Vault namespace (namespace mode only). */
  readonly vaultNamespace?: string;
  readonly kubernetesNamespace: string;
  /** The tenant's `vault.login`, or the file's. */
  readonly login: VaultLogin;
  readonly keyNamePrefix?: string;
  readonly keyServer: {
    readonly replicas?: number;
    readonly networkPolicy?: boolean;
    readonly extraDnsNames?: string[];
    readonly extraIpAddresses?: string[];
  };
  readonly minio: {
    readonly replicas?: number;
    readonly storage?: string;
    readonly storageClassName?: string;
    readonly autoEncryption?: boolean;
    readonly image?: string;
  };
  /**
   * Set when the tenant is being offboarded: its stack is synthesized empty, so a deploy destroys its policy,
   * role, credentials and workloads; `npm run rollout -- deploy` also deletes its keys when `keys` is "delete".
   */
  readonly offboard?: { readonly keys: "delete" | "keep" };
}

/** The validated file. */
export interface TenantsFile {
  readonly vault: TenantsVaultSettings;
  readonly isolation: Isolation;
  readonly stackPerTenant: boolean;
  readonly kubernetes: TenantsKubernetesSettings;
  readonly tenants: readonly TenantEntry[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

const TENANT_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PATH = /^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
/** Tenant names that would collide with the stacks the kit adds (tenant-shared). */
export const RESERVED_TENANT_NAMES = ["shared"];

class Fields {
  constructor(
    readonly where: string,
    private readonly obj: Obj,
  ) {}

  known(...keys: string[]): this {
    const unknown = Object.keys(this.obj).find((k) => !keys.includes(k));
    if (unknown !== undefined)
      throw new Error(`${this.where}${unknown} is not a known field: use one of ${keys.join(", ")}`);
    return this;
  }

  str(key: string, pattern?: RegExp, hint?: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || (pattern && !pattern.test(v))) {
      throw new Error(`${this.where}${key} ${show(v)} ${hint ?? "must be a string"}`);
    }
    return v;
  }

  int(key: string, min: number, max: number): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(`${this.where}${key} ${show(v)} must be a whole number from ${min} to ${max}`);
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw new Error(`${this.where}${key} ${show(v)} must be true or false`);
    return v;
  }

  strings(key: string, problem?: (v: string) => string | undefined, example?: string): string[] | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw new Error(`${this.where}${key} ${show(v)} must be a list of strings`);
    (v as string[]).forEach((x, i) => {
      const p = problem?.(x);
      if (p !== undefined) throw new Error(`${this.where}${key}[${i}] ${show(x)} ${p}: use e.g. ${example}`);
    });
    return v as string[];
  }

  /** A string that `problem` accepts. */
  checked(key: string, problem: (v: string) => string | undefined, example: string): string | undefined {
    const v = this.str(key);
    const p = v === undefined ? undefined : problem(v);
    if (p !== undefined) throw new Error(`${this.where}${key} ${show(v)} ${p}: use e.g. ${example}`);
    return v;
  }

  obj_(key: string): Fields {
    const v = this.obj[key];
    if (v === undefined || v === null) return new Fields(`${this.where}${key}.`, {});
    if (!isObj(v)) throw new Error(`${this.where}${key} must be a mapping, got ${show(v)}`);
    return new Fields(`${this.where}${key}.`, v);
  }
}

const LOGINS: readonly VaultLogin[] = ["approle", "kubernetes"];

/** The `login` field of a `vault` mapping (file-wide or a tenant's), checked. */
function login(f: Fields): VaultLogin | undefined {
  const v = f.str("login");
  if (v !== undefined && !(LOGINS as string[]).includes(v)) {
    throw new Error(
      `${f.where}login ${show(v)} is not a login the kit provisions: use approle (a role-id and a secret-id per tenant) or kubernetes (the key server's service-account token, no secret-id)`,
    );
  }
  return v as VaultLogin | undefined;
}

function tenantEntry(
  raw: unknown,
  index: number,
  isolation: Isolation,
  defaultLogin: VaultLogin,
): TenantEntry {
  if (!isObj(raw))
    throw new Error(`tenants[${index}] must be a mapping with at least a name, got ${show(raw)}`);
  const name = raw.name;
  if (typeof name !== "string" || !TENANT_NAME.test(name)) {
    throw new Error(
      `tenants[${index}].name ${show(name)} must be 1 to 32 characters of [a-z0-9-], starting with a letter and not ending with "-": e.g. "payments"`,
    );
  }
  if (RESERVED_TENANT_NAMES.includes(name)) {
    throw new Error(
      `tenants[${index}].name "${name}" is reserved (the stack "tenant-${name}" holds the shared Vault mounts): pick another name`,
    );
  }
  const f = new Fields(`tenant "${name}": `, raw).known(
    "name",
    "prefix",
    "vaultNamespace",
    "kubernetesNamespace",
    "keyNamePrefix",
    "keyServer",
    "minio",
    "offboard",
    "vault",
  );
  const prefix =
    f.str("prefix", PATH, 'must be a path of [a-z0-9_.-] segments: e.g. "payments" or "eu/payments"') ?? name;
  const vaultNamespace = f.str(
    "vaultNamespace",
    PATH,
    'must be a namespace path of [a-z0-9_.-] segments: e.g. "payments"',
  );
  if (vaultNamespace !== undefined && isolation !== "namespace") {
    throw new Error(
      `tenant "${name}": vaultNamespace ${show(vaultNamespace)} needs isolation: namespace (the file says ${isolation}): drop it, or switch isolation`,
    );
  }
  let offboard: TenantEntry["offboard"];
  if (raw.offboard !== undefined && raw.offboard !== null) {
    const keys = f.obj_("offboard").known("keys").str("keys");
    if (keys !== "delete" && keys !== "keep") {
      throw new Error(
        `tenant "${name}": offboard.keys ${show(keys)} must say what happens to the tenant's keys in Vault: "delete" or "keep"`,
      );
    }
    if (keys === "keep" && isolation === "namespace") {
      throw new Error(
        `tenant "${name}": offboard.keys "keep" cannot be honoured in namespace isolation: destroying the tenant's Vault namespace deletes everything in it; use "delete", or back the keys up first`,
      );
    }
    offboard = { keys };
  }
  const tenantLogin = login(f.obj_("vault").known("login")) ?? defaultLogin;
  const ks = f.obj_("keyServer").known("replicas", "networkPolicy", "extraDnsNames", "extraIpAddresses");
  const mn = f.obj_("minio").known("replicas", "storage", "storageClassName", "autoEncryption", "image");
  return {
    name,
    prefix,
    ...(isolation === "namespace" ? { vaultNamespace: vaultNamespace ?? name } : {}),
    kubernetesNamespace:
      f.str(
        "kubernetesNamespace",
        DNS_LABEL,
        'must be a DNS label ([a-z0-9-], at most 63): e.g. "payments"',
      ) ?? name,
    login: tenantLogin,
    keyNamePrefix: f.str(
      "keyNamePrefix",
      /^[0-9A-Za-z_][0-9A-Za-z_-]{0,59}$/,
      'must be 1 to 60 characters of [0-9A-Za-z_-]: e.g. "payments-"',
    ),
    keyServer: {
      replicas: ks.int("replicas", 1, MAX_KEY_SERVER_REPLICAS),
      networkPolicy: ks.bool("networkPolicy"),
      extraDnsNames: ks.strings("extraDnsNames", certificateDnsNameProblem, '"localhost"'),
      extraIpAddresses: ks.strings("extraIpAddresses", ipAddressProblem, '"127.0.0.1"'),
    },
    minio: {
      replicas: mn.int("replicas", 1, MAX_MINIO_REPLICAS),
      storage: mn.str("storage", QUANTITY, 'must be a Kubernetes quantity: e.g. "100Gi"'),
      storageClassName: mn.checked("storageClassName", dnsSubdomainProblem, '"standard"'),
      autoEncryption: mn.bool("autoEncryption"),
      image: mn.checked("image", imageProblem, '"quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z"'),
    },
    ...(offboard ? { offboard } : {}),
  };
}

/** True when one K/V prefix is the other or lies under it (their policies would overlap). */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Validates a parsed tenants document.
 * @throws Error naming the tenant (or top-level section) and the field, showing the bad value and the fix:
 *   unknown fields, wrong types, malformed names, an empty tenant list, duplicate tenant names, duplicate or
 *   nested prefixes (prefix mode), duplicate Vault or Kubernetes namespaces, an unknown `vault.login`, a
 *   kubernetes login without `kubernetes.apiServer`.
 */
export function validateTenantsFile(doc: unknown): TenantsFile {
  if (!isObj(doc))
    throw new Error(`tenants file must be a mapping with vault, isolation and tenants, got ${show(doc)}`);
  const top = new Fields("", doc).known("vault", "isolation", "stackPerTenant", "kubernetes", "tenants");
  const isolation = top.str("isolation") ?? "prefix";
  if (isolation !== "prefix" && isolation !== "namespace") {
    throw new Error(
      `isolation ${show(isolation)} must be prefix (one K/V mount, a prefix per tenant) or namespace (a Vault namespace per tenant)`,
    );
  }
  const v = top
    .obj_("vault")
    .known(
      "endpoint",
      "kvEngine",
      "kvVersion",
      "authEngine",
      "versionOverride",
      "parentNamespace",
      "authNamespace",
      "login",
      "kubernetesAudience",
    );
  const defaultLogin = login(v) ?? "approle";
  const endpoint = v.str(
    "endpoint",
    /^https?:\/\/[^\s/]+\/?$/,
    'must be the http(s) address the key server pods reach: e.g. "https://vault.vault.svc:8200"',
  );
  if (endpoint === undefined)
    throw new Error(
      'vault.endpoint is required: the address the key server pods reach, e.g. "https://vault.vault.svc:8200"',
    );
  const kvVersion = v.int("kvVersion", 1, 2) ?? 1;
  const parentNamespace = v.str("parentNamespace", PATH, 'must be a namespace path: e.g. "tenants"') ?? "";
  if (parentNamespace !== "" && isolation !== "namespace") {
    throw new Error(
      `vault.parentNamespace ${show(parentNamespace)} needs isolation: namespace: drop it, or switch isolation`,
    );
  }
  const authNamespace =
    v.str("authNamespace") === "/"
      ? "/"
      : v.str("authNamespace", PATH, 'must be "/" (the root namespace) or a namespace path: e.g. "tenants"');
  if (authNamespace !== undefined && isolation !== "namespace") {
    throw new Error(
      `vault.authNamespace ${show(authNamespace)} needs isolation: namespace (in prefix isolation the auth mount is in the namespace of the K/V mount): drop it, or switch isolation`,
    );
  }
  if (
    authNamespace !== undefined &&
    authNamespace !== "/" &&
    authNamespace !== parentNamespace &&
    !parentNamespace.startsWith(`${authNamespace}/`)
  ) {
    throw new Error(
      `vault.authNamespace ${show(authNamespace)} is not the parent namespace ${show(parentNamespace || "/")} nor one of its ancestors, so tenants' tokens could not reach their keystores: use "/" or ${show(parentNamespace || "/")}`,
    );
  }
  const k = top.obj_("kubernetes").known("clusterDomain", "createNamespaces", "apiServer", "apiServerCaCert");
  const apiServer = k.str(
    "apiServer",
    /^https?:\/\/[^\s/]+\/?$/,
    'must be the API server\'s http(s) address as Vault reaches it, without a path: e.g. "https://10.0.0.1:6443"',
  );
  const apiServerCaCert = k.str(
    "apiServerCaCert",
    /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/,
    "must be the PEM of the CA the API server's certificate chains to (-----BEGIN CERTIFICATE----- ...): paste it as a block scalar, apiServerCaCert: |",
  );

  const rawTenants = doc.tenants;
  if (!Array.isArray(rawTenants) || rawTenants.length === 0) {
    throw new Error(
      'tenants must be a non-empty list: add at least one tenant, e.g. tenants: [{ name: "payments" }]',
    );
  }
  const tenants = rawTenants.map((t, i) => tenantEntry(t, i, isolation, defaultLogin));
  const kubernetesLogin = tenants.find((t) => t.login === "kubernetes" && t.offboard === undefined);
  if (kubernetesLogin !== undefined && apiServer === undefined) {
    throw new Error(
      `tenant "${kubernetesLogin.name}": vault.login "kubernetes" needs kubernetes.apiServer, the API server's address as Vault reaches it (Vault reviews the key server's token there): add e.g. kubernetes: { apiServer: "https://10.0.0.1:6443" }, or use login approle`,
    );
  }
  const seen = (
    what: string,
    key: (t: TenantEntry) => string | undefined,
    clash: (a: string, b: string) => boolean = (a, b) => a === b,
  ) => {
    for (let i = 0; i < tenants.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = key(tenants[i]);
        const b = key(tenants[j]);
        if (a !== undefined && b !== undefined && clash(a, b)) {
          throw new Error(
            `tenant "${tenants[i].name}": ${what} ${show(a)} clashes with tenant "${tenants[j].name}" (${show(b)}): give each tenant its own ${what}`,
          );
        }
      }
    }
  };
  seen("name", (t) => t.name);
  if (isolation === "prefix") seen("prefix", (t) => t.prefix, overlaps);
  else seen("vaultNamespace", (t) => t.vaultNamespace, overlaps);
  seen("kubernetesNamespace", (t) => t.kubernetesNamespace);

  return {
    vault: {
      endpoint,
      kvEngine: v.str("kvEngine", /^[a-z0-9][a-z0-9_.-]*$/, 'must be a mount path: e.g. "kv"') ?? "kv",
      kvVersion: kvVersion as 1 | 2,
      authEngine:
        v.str("authEngine", /^[a-z0-9][a-z0-9_.-]*$/, 'must be a mount path: e.g. "approle"') ?? "approle",
      versionOverride: v.str(
        "versionOverride",
        /^[0-9]+\.[0-9]+\.[0-9]+$/,
        'must be a version: e.g. "1.14.0"',
      ),
      parentNamespace,
      ...(authNamespace === undefined ? {} : { authNamespace }),
      login: defaultLogin,
      kubernetesAudience:
        v.str("kubernetesAudience", /^[!-~]{1,253}$/, 'must be one audience without spaces: e.g. "vault"') ??
        "vault",
    },
    isolation,
    stackPerTenant: top.bool("stackPerTenant") ?? false,
    kubernetes: {
      clusterDomain:
        k.str(
          "clusterDomain",
          /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
          'must be a DNS domain: e.g. "cluster.local"',
        ) ?? "cluster.local",
      createNamespaces: k.bool("createNamespaces") ?? true,
      ...(apiServer === undefined ? {} : { apiServer }),
      ...(apiServerCaCert === undefined ? {} : { apiServerCaCert }),
    },
    tenants,
  };
}

/**
 * Parses and validates tenants YAML.
 * @throws Error "tenants file <where>: invalid YAML ..." for syntax errors, else as {@link validateTenantsFile},
 *   prefixed with `where`.
 */
export function parseTenantsFile(text: string, where = "tenants file"): TenantsFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split("\n")[0] : String(err);
    throw new Error(`${where}: invalid YAML: ${msg}`);
  }
  try {
    return validateTenantsFile(doc);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
