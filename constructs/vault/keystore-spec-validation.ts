import { isUnresolved, show, vaultPathProblem } from "../private/vault-path";
import { defaultKeystoreName } from "./keystore-names";
import { KvVersion } from "./kv-version";
import { VaultAuthMethod } from "./vault-auth-method";

/** Options of transit wrapping: every key value is encrypted with one transit key before it is stored. */
export interface TransitSpecProps {
  /**
   * Mount path of the transit engine.
   * @default "transit"
   */
  readonly engine?: string;
  /** Name of the transit key, e.g. "kes-payments". */
  readonly key: string;
  /**
   * Automatic rotation period of the transit key, in seconds. Must stay 0: the key server only understands
   * `vault:v1:` ciphertexts, so a rotated key breaks key creation.
   * @default 0
   */
  readonly autoRotatePeriodSeconds?: number;
  /**
   * Minimum key version allowed to decrypt. Must stay 1: a higher value makes every stored key unreadable.
   * @default 1
   */
  readonly minDecryptionVersion?: number;
}

/** The typed keystore spec: where the key server keeps its keys in Vault and how it logs in. */
export interface KeystoreSpecProps {
  /**
   * Mount path of the K/V engine.
   * @default "kv"
   */
  readonly kvEngine?: string;
  /**
   * Version of the K/V engine.
   * @default KvVersion.V1
   */
  readonly kvVersion?: KvVersion;
  /** Tenant prefix under the engine, e.g. "payments" or "tenants/payments"; keys live at `<engine>/<prefix>/<name>`. */
  readonly prefix: string;
  /**
   * Vault namespace of the K/V (and transit) engine, e.g. "payments" or "tenants/payments".
   * @default - the root namespace
   */
  readonly namespace?: string;
  /**
   * Namespace of the auth mount, when it differs from `namespace`: "/" for the root namespace, or an ancestor
   * of `namespace`. The policy then lives there and names the keystore paths through the child namespace.
   * @default - the keystore namespace
   */
  readonly authNamespace?: string;
  /**
   * How the key server logs in.
   * @default VaultAuthMethod.APPROLE
   */
  readonly authMethod?: VaultAuthMethod;
  /**
   * Mount path of the auth method (under `auth/`).
   * @default - "approle" or "kubernetes", after `authMethod`
   */
  readonly authEngine?: string;
  /**
   * Transit wrapping of the stored key values.
   * @default - no transit wrapping
   */
  readonly transit?: TransitSpecProps;
  /**
   * `max_versions` of a K/V v2 mount. 0 keeps Vault's default of 10; smaller values are refused because the
   * key server always reads version 1, which pruning would remove.
   * @default 0
   */
  readonly kvMaxVersions?: number;
  /**
   * `delete_version_after` of a K/V v2 mount, in seconds. Only 0 (never) is accepted: keys would vanish.
   * @default 0
   */
  readonly kvDeleteVersionAfterSeconds?: number;
  /**
   * Name of the Vault policy (lowercase; Vault lowercases policy names). Two keystores of one app must not share
   * it in one Vault namespace (checked at synth).
   * @default - `kes-<engine>-<prefix>` when both are plain `[a-z0-9]+` and the keystore is in the auth
   *   namespace; otherwise `kes-<slug>.<hash>`, unique per (namespace, engine, prefix): see defaultKeystoreName
   */
  readonly policyName?: string;
  /**
   * Name of the AppRole or Kubernetes auth role.
   * @default - the policy name
   */
  readonly roleName?: string;
}

/** A spec with every default filled in; produced only by {@link resolveKeystoreSpec}. */
export interface ResolvedKeystoreSpec {
  readonly kvEngine: string;
  readonly kvVersion: KvVersion;
  readonly prefix: string;
  readonly namespace?: string;
  /** Undefined: the auth mount is in `namespace`. "" : the root namespace. Otherwise an ancestor of `namespace`. */
  readonly authNamespace?: string;
  readonly authMethod: VaultAuthMethod;
  readonly authEngine: string;
  readonly transit?: { readonly engine: string; readonly key: string };
  readonly kvMaxVersions: number;
  readonly policyName: string;
  readonly roleName: string;
}

/** First path segments Vault reserves for itself. */
export const RESERVED_MOUNTS = ["sys", "auth", "cubbyhole", "identity"];
const RESERVED_NAMESPACES = ["root", "sys", "audit", "auth", "cubbyhole", "identity"];
/** Auth mount paths Vault reserves. */
export const RESERVED_AUTH_MOUNTS = ["token"];
const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const TRANSIT_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const VAULT_DEFAULT_MAX_VERSIONS = 10;

function literal(field: string, value: unknown, example: string): void {
  if (isUnresolved(value)) {
    throw new Error(
      `${field} is an unresolved token, but the policy and key server config are rendered at synth time: pass a literal such as ${example}`,
    );
  }
}

function checkPath(field: string, value: string, example: string): void {
  literal(field, value, example);
  const problem = vaultPathProblem(value);
  if (problem) throw new Error(`${field} ${show(value)} ${problem}: use a path like ${example}`);
}

/**
 * Checks a secrets-engine or auth mount path.
 * @throws Error naming `field`, the value and an example when the path is malformed or reserved.
 */
export function checkMount(
  field: string,
  value: string,
  example: string,
  reserved: readonly string[],
  what: string,
): void {
  checkPath(field, value, example);
  const first = value.split("/")[0];
  if (reserved.includes(first)) {
    throw new Error(
      `${field} ${show(value)} uses the reserved ${what} path "${first}": use a path like ${example}`,
    );
  }
}

/**
 * Checks a namespace path.
 * @throws Error naming `field` and the value when the path is malformed or uses a reserved name.
 */
export function checkNamespace(field: string, value: string): void {
  checkPath(field, value, '"payments" or "tenants/payments"');
  const reserved = value.split("/").find((s) => RESERVED_NAMESPACES.includes(s));
  if (reserved !== undefined) {
    throw new Error(
      `${field} ${show(value)} uses the reserved namespace name "${reserved}": use a tenant name like "payments"`,
    );
  }
}

/**
 * Checks a policy or role name.
 * @throws Error naming `field` and the value when it is not a lowercase vault name or is built in.
 */
export function checkName(field: string, value: string): void {
  literal(field, value, '"kes-payments"');
  if (!NAME.test(value) || value.length > 128) {
    throw new Error(
      `${field} ${show(value)} must match [a-z0-9][a-z0-9_.-]* (at most 128 characters; vault lowercases names): use a name like "kes-payments"`,
    );
  }
  if (value === "root" || value === "default") {
    throw new Error(
      `${field} ${show(value)} is a built-in vault policy name: use a name like "kes-payments"`,
    );
  }
}

function checkWholeNumber(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${field} ${show(value)} must be a whole number of at least 0`);
  }
}

/**
 * Validates a keystore spec and fills in its defaults. Pure.
 * @throws Error with a lowercase message naming the field, the bad value and the fix, for: empty or malformed
 *   paths (engine, prefix, namespaces, auth engine, transit engine), path traversal, globs or characters that
 *   would change the policy, reserved mount and namespace names, tokens where a literal is needed, an auth
 *   namespace without a namespace or outside its ancestry, K/V version pruning settings, a transit key that
 *   rotates or has min_decryption_version > 1, a transit engine equal to the K/V engine, and bad policy or
 *   role names.
 */
export function resolveKeystoreSpec(props: KeystoreSpecProps): ResolvedKeystoreSpec {
  const kvEngine = props.kvEngine ?? "kv";
  checkMount("kvEngine", kvEngine, '"kv"', RESERVED_MOUNTS, "vault");
  const kvVersion = props.kvVersion ?? KvVersion.V1;
  if (!(kvVersion instanceof KvVersion)) {
    throw new Error(`kvVersion ${show(kvVersion)} is not a KvVersion: use KvVersion.V1 or KvVersion.V2`);
  }

  if (props.prefix === undefined || props.prefix === "") {
    throw new Error(
      'prefix "" must not be empty: every tenant needs its own prefix, use a tenant name like "payments"',
    );
  }
  checkPath("prefix", props.prefix, '"payments" or "tenants/payments"');

  let namespace: string | undefined;
  if (props.namespace !== undefined) {
    checkNamespace("namespace", props.namespace);
    namespace = props.namespace;
  }

  let authNamespace: string | undefined;
  if (props.authNamespace !== undefined) {
    if (namespace === undefined) {
      throw new Error(
        `authNamespace ${show(props.authNamespace)} is set but namespace is not: set namespace too, or drop authNamespace (the auth mount is then in the root namespace)`,
      );
    }
    if (props.authNamespace === "/") {
      authNamespace = "";
    } else {
      checkNamespace("authNamespace", props.authNamespace);
      if (props.authNamespace !== namespace && !namespace.startsWith(`${props.authNamespace}/`)) {
        throw new Error(
          `authNamespace ${show(props.authNamespace)} is not namespace ${show(namespace)} nor one of its ancestors, so its tokens cannot reach the keystore: use "/" (root) or an ancestor such as ${show(namespace.split("/")[0])}`,
        );
      }
      authNamespace = props.authNamespace === namespace ? undefined : props.authNamespace;
    }
  }

  const authMethod = props.authMethod ?? VaultAuthMethod.APPROLE;
  if (!(authMethod instanceof VaultAuthMethod)) {
    throw new Error(
      `authMethod ${show(authMethod)} is not a VaultAuthMethod: use VaultAuthMethod.APPROLE or VaultAuthMethod.KUBERNETES`,
    );
  }
  const authEngine = props.authEngine ?? authMethod.type;
  checkMount("authEngine", authEngine, `"${authMethod.type}"`, RESERVED_AUTH_MOUNTS, "auth");

  let transit: ResolvedKeystoreSpec["transit"];
  if (props.transit !== undefined) {
    const engine = props.transit.engine ?? "transit";
    checkMount("transit.engine", engine, '"transit"', RESERVED_MOUNTS, "vault");
    if (engine === kvEngine) {
      throw new Error(
        `transit.engine ${show(engine)} is the same path as kvEngine: mount transit elsewhere, e.g. "transit"`,
      );
    }
    literal("transit.key", props.transit.key, '"kes-payments"');
    if (!TRANSIT_KEY.test(props.transit.key ?? "")) {
      throw new Error(
        `transit.key ${show(props.transit.key)} must match [A-Za-z0-9][A-Za-z0-9_-]{0,79}: use a key name like "kes-payments"`,
      );
    }
    const rotate = props.transit.autoRotatePeriodSeconds ?? 0;
    if (rotate !== 0) {
      throw new Error(
        `transit.autoRotatePeriodSeconds ${show(rotate)} enables rotation, but the key server only reads "vault:v1:" ciphertexts, so a rotated transit key breaks key creation: leave it at 0`,
      );
    }
    const minDecryption = props.transit.minDecryptionVersion ?? 1;
    if (minDecryption !== 1) {
      throw new Error(
        `transit.minDecryptionVersion ${show(minDecryption)} must be 1: the stored keys are "vault:v1:" ciphertexts and a higher value makes them unreadable`,
      );
    }
    transit = { engine, key: props.transit.key };
  }

  const maxVersions = props.kvMaxVersions ?? 0;
  checkWholeNumber("kvMaxVersions", maxVersions);
  const deleteAfter = props.kvDeleteVersionAfterSeconds ?? 0;
  checkWholeNumber("kvDeleteVersionAfterSeconds", deleteAfter);
  if (kvVersion === KvVersion.V1 && (maxVersions !== 0 || deleteAfter !== 0)) {
    const field = maxVersions !== 0 ? "kvMaxVersions" : "kvDeleteVersionAfterSeconds";
    throw new Error(
      `${field} ${show(maxVersions !== 0 ? maxVersions : deleteAfter)} applies only to k/v version 2: drop it, or use KvVersion.V2`,
    );
  }
  if (deleteAfter !== 0) {
    throw new Error(
      `kvDeleteVersionAfterSeconds ${show(deleteAfter)} prunes key versions, and the key server keeps each key in version 1 only, so keys would vanish: leave it at 0`,
    );
  }
  if (maxVersions !== 0 && maxVersions < VAULT_DEFAULT_MAX_VERSIONS) {
    throw new Error(
      `kvMaxVersions ${show(maxVersions)} prunes version 1, which the key server always reads, after ${maxVersions} writes to a key: leave it at 0 (vault's default of ${VAULT_DEFAULT_MAX_VERSIONS}) or set ${VAULT_DEFAULT_MAX_VERSIONS} or more`,
    );
  }

  const effectiveAuth = authNamespace ?? namespace ?? "";
  const keystoreNs = namespace ?? "";
  const fromAuth = effectiveAuth === "" ? keystoreNs : keystoreNs.slice(effectiveAuth.length + 1);
  const policyName =
    props.policyName ??
    defaultKeystoreName({
      kvEngine,
      prefix: props.prefix,
      namespaceFromAuth: fromAuth === "" ? "" : `${fromAuth}/`,
    });
  checkName("policyName", policyName);
  const roleName = props.roleName ?? policyName;
  checkName("roleName", roleName);

  return {
    kvEngine,
    kvVersion,
    prefix: props.prefix,
    namespace,
    authNamespace,
    authMethod,
    authEngine,
    transit,
    kvMaxVersions: maxVersions,
    policyName,
    roleName,
  };
}
