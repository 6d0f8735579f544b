import type { Construct } from "constructs";
import * as fs from "node:fs";
import { KvVersion } from "../constructs/vault/kv-version";
import { RuntimeSource } from "../constructs/kubernetes/runtime-source";
import {
  OffboardedTenantStack,
  SharedMountsStack,
  TenantStack,
  TenantsStack,
  type SharedMountsOptions,
  type TenantDefinition,
} from "./tenant-stack";
import type { KitStackOptions } from "./kit-stack";
import { parseTenantsFile, type TenantEntry, type TenantsFile } from "../shared/tenants-file";
import { tenantKeystoreProps } from "../shared/tenant-keystore";

/** Id of the single multi-tenant stack. */
export const TENANTS_STACK_ID = "tenants";
/** Id of the shared-mounts stack (prefix isolation, one stack per tenant). */
export const SHARED_STACK_ID = "tenant-shared";
/** Id of one tenant's stack. */
export const tenantStackId = (tenantName: string) => `tenant-${tenantName}`;

/** Options of the stacks built from a tenants file, beside the file itself. */
export interface TenantsStacksOptions extends KitStackOptions {
  /**
   * Where every key server's code comes from.
   * @default - RuntimeSource.fromBundle(): runtime/dist/keyserver.cjs
   */
  readonly runtime?: RuntimeSource;
  /**
   * One stack per tenant, overriding the file's `stackPerTenant`.
   * @default - the file's setting
   */
  readonly stackPerTenant?: boolean;
}

/** The tenant definition (composite props + keystore props) of one validated entry. Pure. */
export function tenantDefinition(
  file: TenantsFile,
  t: TenantEntry,
  runtime?: RuntimeSource,
): TenantDefinition {
  const v = file.vault;
  const keystore = tenantKeystoreProps(file, t);
  return {
    tenantName: t.name,
    keystore,
    vaultEndpoint: v.endpoint,
    kubernetesNamespace: t.kubernetesNamespace,
    createKubernetesNamespace: file.kubernetes.createNamespaces,
    clusterDomain: file.kubernetes.clusterDomain,
    ...(t.keyNamePrefix === undefined ? {} : { keyNamePrefix: t.keyNamePrefix }),
    keyServer: {
      replicas: t.keyServer.replicas,
      runtime,
      ...(t.keyServer.networkPolicy ? { networkPolicy: {} } : {}),
      extraDnsNames: t.keyServer.extraDnsNames,
      extraIpAddresses: t.keyServer.extraIpAddresses,
    },
    minio: { ...t.minio },
  };
}

/**
 * Builds the stacks of a validated tenants file: one stack "tenants", or one stack "tenant-<name>" per tenant
 * (plus "tenant-shared" holding the shared K/V and AppRole mounts in prefix isolation, which every tenant stack
 * depends on). Returns the stacks in deploy order.
 * @throws Error from the stacks and tenant constructs.
 */
export function buildTenantsStacks(
  scope: Construct,
  file: TenantsFile,
  opts: TenantsStacksOptions = {},
): (TenantsStack | TenantStack | SharedMountsStack | OffboardedTenantStack)[] {
  const kit: KitStackOptions = {
    ...opts,
    vaultVersionOverride: opts.vaultVersionOverride ?? file.vault.versionOverride,
  };
  const active = file.tenants.filter((t) => t.offboard === undefined);
  const definitions = active.map((t) => tenantDefinition(file, t, opts.runtime));
  // Prefix isolation: one K/V and one AppRole mount for all. Namespace isolation with an auth namespace: one
  // AppRole mount there. Otherwise each tenant mounts its own in its namespace.
  const mounts: SharedMountsOptions | undefined =
    file.isolation === "prefix"
      ? {
          kvEngine: file.vault.kvEngine,
          kvVersion: KvVersion.of(file.vault.kvVersion),
          authEngine: file.vault.authEngine,
        }
      : file.vault.authNamespace !== undefined
        ? { authEngine: file.vault.authEngine, authNamespace: file.vault.authNamespace }
        : undefined;
  if (!(opts.stackPerTenant ?? file.stackPerTenant)) {
    // Offboarded tenants are left out of the one stack, so its next deploy destroys them; with none left, the
    // stack keeps only its providers.
    if (definitions.length === 0) return [new OffboardedTenantStack(scope, TENANTS_STACK_ID, kit)];
    return [
      new TenantsStack(scope, TENANTS_STACK_ID, {
        ...kit,
        tenants: definitions,
        ...(mounts ? { sharedMounts: mounts } : {}),
      }),
    ];
  }
  const out: (TenantStack | SharedMountsStack | OffboardedTenantStack)[] = [];
  const shared = mounts ? new SharedMountsStack(scope, SHARED_STACK_ID, { ...kit, mounts }) : undefined;
  if (shared) out.push(shared);
  for (const t of file.tenants.filter((e) => e.offboard !== undefined)) {
    const stack = new OffboardedTenantStack(scope, tenantStackId(t.name), kit);
    if (shared) stack.addDependency(shared);
    out.push(stack);
  }
  for (const def of definitions) {
    const stack = new TenantStack(scope, tenantStackId(def.tenantName), {
      ...kit,
      tenant: def,
      existingKvMount: !!shared && mounts?.kvEngine !== undefined,
      // A tenant with Kubernetes login has its own auth mount, never the shared AppRole one.
      existingAppRoleAuth: !!shared && def.keystore.login?.kubernetesOptions === undefined,
    });
    if (shared) stack.addDependency(shared);
    out.push(stack);
  }
  return out;
}

/**
 * Reads and validates a tenants file.
 * @throws Error naming the file when it cannot be read, else as parseTenantsFile.
 */
export function readTenantsFile(filePath: string): TenantsFile {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (err) {
    throw new Error(
      `tenants file ${filePath} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): check KVK_TENANTS_FILE`,
    );
  }
  return parseTenantsFile(text, `tenants file ${filePath}`);
}

/**
 * Reads, validates and builds a tenants file.
 * @throws Error naming the file when it cannot be read, else as parseTenantsFile and buildTenantsStacks.
 */
export function tenantsStacksFromFile(scope: Construct, filePath: string, opts: TenantsStacksOptions = {}) {
  return buildTenantsStacks(scope, readTenantsFile(filePath), opts);
}

/** Environment variables {@link tenantsStacksFromEnv} reads. */
export const TENANTS_ENV = {
  file: "KVK_TENANTS_FILE",
  providerVersions: "KVK_PROVIDER_VERSIONS",
  stateDir: "KVK_STATE_DIR",
  stackPerTenant: "KVK_STACK_PER_TENANT",
  withoutKubernetes: "KVK_WITHOUT_KUBERNETES",
  runtimeBundle: "KVK_RUNTIME_BUNDLE",
  runtimeImage: "KVK_RUNTIME_IMAGE",
  vaultVersionOverride: "KVK_VAULT_VERSION_OVERRIDE",
} as const;

function flag(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  if (["1", "true", "yes"].includes(v.toLowerCase())) return true;
  if (["0", "false", "no"].includes(v.toLowerCase())) return false;
  throw new Error(`${name} ${JSON.stringify(v)} must be true or false (1/0)`);
}

function versionOverride(v: string): string {
  if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(v)) {
    throw new Error(
      `${TENANTS_ENV.vaultVersionOverride} ${JSON.stringify(v)} must be a version: e.g. "1.14.0" against OpenBao`,
    );
  }
  return v;
}

/** A tenants file's path and the options of its stacks, as the environment gives them. */
export interface TenantsSettings {
  /** Path of the tenants file (KVK_TENANTS_FILE). */
  readonly file: string;
  readonly options: TenantsStacksOptions;
}

/**
 * Reads the tenants rollout's settings from the environment: KVK_TENANTS_FILE (the tenants file),
 * KVK_PROVIDER_VERSIONS (JSON, exact provider versions), KVK_STATE_DIR (absolute directory of local state),
 * KVK_STACK_PER_TENANT (overrides the file), KVK_WITHOUT_KUBERNETES (Vault half and identities only),
 * KVK_RUNTIME_BUNDLE (bundle path; default runtime/dist/keyserver.cjs) or KVK_RUNTIME_IMAGE (an image holding
 * the bundle), KVK_VAULT_VERSION_OVERRIDE (the vault provider's vault_version_override, over the file's).
 * Returns undefined when KVK_TENANTS_FILE is not set.
 * @throws Error naming the variable when a value is malformed, or from RuntimeSource (a bundle that is missing).
 */
export function tenantsSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TenantsSettings | undefined {
  const file = env[TENANTS_ENV.file];
  if (file === undefined || file === "") return undefined;
  let providerVersions: Record<string, string> | undefined;
  const versions = env[TENANTS_ENV.providerVersions];
  if (versions) {
    try {
      providerVersions = JSON.parse(versions) as Record<string, string>;
    } catch {
      throw new Error(
        `${TENANTS_ENV.providerVersions} ${JSON.stringify(versions)} is not JSON: use e.g. {"vault":"5.9.0","kubernetes":"3.2.1"}`,
      );
    }
  }
  const bundle = env[TENANTS_ENV.runtimeBundle];
  const image = env[TENANTS_ENV.runtimeImage];
  if (bundle && image) {
    throw new Error(
      `${TENANTS_ENV.runtimeBundle} and ${TENANTS_ENV.runtimeImage} exclude each other: set one`,
    );
  }
  const runtime = image
    ? RuntimeSource.fromImage(image)
    : bundle
      ? RuntimeSource.fromBundle(bundle)
      : undefined;
  return {
    file,
    options: {
      ...(runtime ? { runtime } : {}),
      ...(providerVersions ? { providerVersions } : {}),
      ...(env[TENANTS_ENV.stateDir] ? { stateDir: env[TENANTS_ENV.stateDir] } : {}),
      ...(env[TENANTS_ENV.vaultVersionOverride]
        ? { vaultVersionOverride: versionOverride(env[TENANTS_ENV.vaultVersionOverride] as string) }
        : {}),
      stackPerTenant: flag(env, TENANTS_ENV.stackPerTenant),
      withoutKubernetes: flag(env, TENANTS_ENV.withoutKubernetes),
    },
  };
}

/**
 * The hook for stacks/main.ts: when KVK_TENANTS_FILE names a tenants file, builds its stacks with the settings
 * {@link tenantsSettingsFromEnv} reads and returns them; returns undefined when KVK_TENANTS_FILE is not set.
 * @throws Error naming the variable when a value is malformed, else as tenantsStacksFromFile.
 */
export function tenantsStacksFromEnv(scope: Construct, env: Readonly<Record<string, string | undefined>>) {
  const settings = tenantsSettingsFromEnv(env);
  return settings === undefined ? undefined : tenantsStacksFromFile(scope, settings.file, settings.options);
}
