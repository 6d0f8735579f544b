/**
 * The tenants file (YAML): one Vault, an isolation mode and a list of tenants, validated with messages that
 * name the tenant and the field. Pure: parsing and validation only; stacks/tenants-stacks.ts builds the stacks,
 * the doctor (doctor/) checks a deployment against it.
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
import { FieldReader, isMapping, showValue } from "../runtime/src/config/field-reader";

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

const show = showValue;

const TENANT_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PATH = /^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
/** Tenant names that would collide with the stacks the kit adds (tenant-shared). */
export const RESERVED_TENANT_NAMES = ["shared"];

const LOGINS: readonly VaultLogin[] = ["approle", "kubernetes"];

/** The `login` field of a `vault` mapping (file-wide or a tenant's), checked. */
function login(f: FieldReader): VaultLogin | undefined {
  const v = f.str("login");
  if (v !== undefined && !(LOGINS as string[]).includes(v)) {
    throw new Error(
      `${f.field("login")} ${show(v)} is not a login the kit provisions: use approle (a role-id and a secret-id per tenant) or kubernetes (the key server's service-account token, no secret-id)`,
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
  if (!isMapping(raw))
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
  const f = FieldReader.of(raw, `tenants[${index}]`, { prefix: `tenant "${name}": ` }).known(
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
    f.str("prefix", {
      pattern: PATH,
      hint: 'must be a path of [a-z0-9_.-] segments: e.g. "payments" or "eu/payments"',
    }) ?? name;
  const vaultNamespace = f.str("vaultNamespace", {
    pattern: PATH,
    hint: 'must be a namespace path of [a-z0-9_.-] segments: e.g. "payments"',
  });
  if (vaultNamespace !== undefined && isolation !== "namespace") {
    throw new Error(
      `tenant "${name}": vaultNamespace ${show(vaultNamespace)} needs isolation: namespace (the file says ${isolation}): drop it, or switch isolation`,
    );
  }
  let offboard: TenantEntry["offboard"];
  if (raw.offboard !== undefined && raw.offboard !== null) {
    const keys = f.child("offboard").known("keys").str("keys");
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
  const tenantLogin = login(f.child("vault").known("login")) ?? defaultLogin;
  const ks = f.child("keyServer").known("replicas", "networkPolicy", "extraDnsNames", "extraIpAddresses");
  const mn = f.child("minio").known("replicas", "storage", "storageClassName", "autoEncryption", "image");
  return {
    name,
    prefix,
    ...(isolation === "namespace" ? { vaultNamespace: vaultNamespace ?? name } : {}),
    kubernetesNamespace:
      f.str("kubernetesNamespace", {
        pattern: DNS_LABEL,
        hint: 'must be a DNS label ([a-z0-9-], at most 63): e.g. "payments"',
      }) ?? name,
    login: tenantLogin,
    keyNamePrefix: f.str("keyNamePrefix", {
      pattern: /^[0-9A-Za-z_][0-9A-Za-z_-]{0,59}$/,
      hint: 'must be 1 to 60 characters of [0-9A-Za-z_-]: e.g. "payments-"',
    }),
    keyServer: {
      replicas: ks.int("replicas", 1, MAX_KEY_SERVER_REPLICAS),
      networkPolicy: ks.bool("networkPolicy"),
      extraDnsNames: ks.strings("extraDnsNames", {
        problem: certificateDnsNameProblem,
        example: '"localhost"',
      }),
      extraIpAddresses: ks.strings("extraIpAddresses", { problem: ipAddressProblem, example: '"127.0.0.1"' }),
    },
    minio: {
      replicas: mn.int("replicas", 1, MAX_MINIO_REPLICAS),
      storage: mn.str("storage", { pattern: QUANTITY, hint: 'must be a Kubernetes quantity: e.g. "100Gi"' }),
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
  if (!isMapping(doc))
    throw new Error(`tenants file must be a mapping with vault, isolation and tenants, got ${show(doc)}`);
  const top = FieldReader.of(doc, "tenants file", {
    expected: " with vault, isolation and tenants",
  }).known("vault", "isolation", "stackPerTenant", "kubernetes", "tenants");
  const isolation = top.str("isolation") ?? "prefix";
  if (isolation !== "prefix" && isolation !== "namespace") {
    throw new Error(
      `isolation ${show(isolation)} must be prefix (one K/V mount, a prefix per tenant) or namespace (a Vault namespace per tenant)`,
    );
  }
  const v = top
    .child("vault")
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
  const endpoint = v.str("endpoint", {
    pattern: /^https?:\/\/[^\s/]+\/?$/,
    hint: 'must be the http(s) address the key server pods reach: e.g. "https://vault.vault.svc:8200"',
  });
  if (endpoint === undefined)
    throw new Error(
      'vault.endpoint is required: the address the key server pods reach, e.g. "https://vault.vault.svc:8200"',
    );
  const kvVersion = v.int("kvVersion", 1, 2) ?? 1;
  const parentNamespace =
    v.str("parentNamespace", { pattern: PATH, hint: 'must be a namespace path: e.g. "tenants"' }) ?? "";
  if (parentNamespace !== "" && isolation !== "namespace") {
    throw new Error(
      `vault.parentNamespace ${show(parentNamespace)} needs isolation: namespace: drop it, or switch isolation`,
    );
  }
  const authNamespace =
    v.str("authNamespace") === "/"
      ? "/"
      : v.str("authNamespace", {
          pattern: PATH,
          hint: 'must be "/" (the root namespace) or a namespace path: e.g. "tenants"',
        });
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
      `vault.authNamespace ${show(authNamespace)} is not the parent namespace ${show(parentNamespace || "/")} nor one of its ancestors, so tenants' tokens could not reach their keystores: use ${parentNamespace ? `"/" or ${show(parentNamespace)}` : `"/" (the root namespace), or set vault.parentNamespace`}`,
    );
  }
  const k = top
    .child("kubernetes")
    .known("clusterDomain", "createNamespaces", "apiServer", "apiServerCaCert");
  const apiServer = k.str("apiServer", {
    pattern: /^https?:\/\/[^\s/]+\/?$/,
    hint: 'must be the API server\'s http(s) address as Vault reaches it, without a path: e.g. "https://10.0.0.1:6443"',
  });
  const apiServerCaCert = k.str("apiServerCaCert", {
    pattern: /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/,
    hint: "must be the PEM of the CA the API server's certificate chains to (-----BEGIN CERTIFICATE----- ...): paste it as a block scalar, apiServerCaCert: |",
  });

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
      kvEngine:
        v.str("kvEngine", { pattern: /^[a-z0-9][a-z0-9_.-]*$/, hint: 'must be a mount path: e.g. "kv"' }) ??
        "kv",
      kvVersion: kvVersion as 1 | 2,
      authEngine:
        v.str("authEngine", {
          pattern: /^[a-z0-9][a-z0-9_.-]*$/,
          hint: 'must be a mount path: e.g. "approle"',
        }) ?? "approle",
      versionOverride: v.str("versionOverride", {
        pattern: /^[0-9]+\.[0-9]+\.[0-9]+$/,
        hint: 'must be a version: e.g. "1.14.0"',
      }),
      parentNamespace,
      ...(authNamespace === undefined ? {} : { authNamespace }),
      login: defaultLogin,
      kubernetesAudience:
        v.str("kubernetesAudience", {
          pattern: /^[!-~]{1,253}$/,
          hint: 'must be one audience without spaces: e.g. "vault"',
        }) ?? "vault",
    },
    isolation,
    stackPerTenant: top.bool("stackPerTenant") ?? false,
    kubernetes: {
      clusterDomain:
        k.str("clusterDomain", {
          pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
          hint: 'must be a DNS domain: e.g. "cluster.local"',
        }) ?? "cluster.local",
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
