import {
  KvVersion,
  SecretIdRotation,
  Duration,
  KeystoreLogin,
  type AppRoleOptions,
  type KeystoreProps,
  type KubernetesLoginOptions,
} from "../constructs";
import { FieldReader, showValue } from "../runtime/src/config/field-reader";
import type { VaultKeystoreStackProps } from "./vault-keystore-stack";

/** What stacks/main.ts builds: a stack id and its props. */
export interface KeystoreStackSettings {
  readonly stackId: string;
  readonly props: VaultKeystoreStackProps;
}

const KEYSTORE_FIELDS = [
  "kvEngine",
  "kvVersion",
  "prefix",
  "namespace",
  "authNamespace",
  "authEngine",
  "transit",
  "kvMaxVersions",
  "policyName",
  "roleName",
  "authMethod",
  "kubernetesAuth",
  "createNamespace",
  "createTransitMount",
  "transitKeyDeletionAllowed",
  "existingKvMount",
  "existingAppRoleAuth",
  "appRole",
];
const APPROLE_FIELDS = [
  "tokenPeriodSeconds",
  "tokenTtlSeconds",
  "tokenMaxTtlSeconds",
  "tokenBoundCidrs",
  "secretIdBoundCidrs",
  "secretIdTtlSeconds",
  "rotation",
  "rotationTrigger",
  "responseWrappingTtl",
];

/** `rotation: {"days"|"hours"|"minutes": n}`, kept in its unit (the time_rotating argument it renders to). */
function rotation(r: FieldReader): SecretIdRotation | undefined {
  const rot = r.optionalChild("rotation");
  if (rot === undefined) return undefined;
  rot.known("days", "hours", "minutes");
  const keys = rot.keys();
  const n = keys.length === 1 ? rot.raw(keys[0]) : undefined;
  if (typeof n !== "number") {
    throw new Error(
      `${r.field("rotation")} must have exactly one of days, hours, minutes as a number, e.g. {"days": 30}, got ${showValue(r.raw("rotation"))}`,
    );
  }
  try {
    const period =
      keys[0] === "days" ? Duration.days(n) : keys[0] === "hours" ? Duration.hours(n) : Duration.minutes(n);
    return SecretIdRotation.every(period);
  } catch (e) {
    throw new Error(`${rot.field(keys[0])}: ${(e as Error).message}`);
  }
}

/** A duration field: a number of seconds (`...Seconds`) or a string like "5m", as a Duration. */
function duration(r: FieldReader, key: string): Duration | undefined {
  const v = r.raw(key);
  if (v === undefined || v === null) return undefined;
  try {
    return typeof v === "string" ? Duration.parse(v) : Duration.seconds(r.num(key) as number);
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(r.field(key)) ? message : `${r.field(key)}: ${message}`);
  }
}

function kubernetesAuth(k: FieldReader | undefined): KubernetesLoginOptions | undefined {
  if (k === undefined) return undefined;
  k.known("serviceAccountNames", "serviceAccountNamespaces", "audience", "tokenPeriodSeconds");
  return {
    serviceAccountNames: k.strings("serviceAccountNames"),
    serviceAccountNamespaces: k.strings("serviceAccountNamespaces"),
    audience: k.str("audience"),
    tokenPeriod: duration(k, "tokenPeriodSeconds"),
  };
}

/** The login from `authMethod` and the options of that method (the other method's options refused). */
function login(k: FieldReader): KeystoreLogin | undefined {
  const method = k.raw("authMethod");
  if (method !== undefined && method !== "approle" && method !== "kubernetes") {
    throw new Error(
      `${k.field("authMethod")} ${showValue(method)} is not supported: use "approle" or "kubernetes"`,
    );
  }
  const [own, other] =
    method === "kubernetes" ? ["kubernetesAuth", "appRole"] : ["appRole", "kubernetesAuth"];
  if (k.raw(other) !== undefined) {
    throw new Error(
      `${k.field(other)} is set but authMethod is ${JSON.stringify(method ?? "approle")}: drop ${other}, or set authMethod to ${JSON.stringify(method === "kubernetes" ? "approle" : "kubernetes")}`,
    );
  }
  if (method === "kubernetes") return KeystoreLogin.kubernetes(kubernetesAuth(k.optionalChild(own)));
  const options = appRole(k.optionalChild(own));
  return options === undefined ? undefined : KeystoreLogin.appRole(options);
}

function appRole(a: FieldReader | undefined): AppRoleOptions | undefined {
  if (a === undefined) return undefined;
  a.known(...APPROLE_FIELDS);
  return {
    tokenPeriod: duration(a, "tokenPeriodSeconds"),
    tokenTtl: duration(a, "tokenTtlSeconds"),
    tokenMaxTtl: duration(a, "tokenMaxTtlSeconds"),
    secretIdTtl: duration(a, "secretIdTtlSeconds"),
    tokenBoundCidrs: a.strings("tokenBoundCidrs"),
    secretIdBoundCidrs: a.strings("secretIdBoundCidrs"),
    secretIdRotation: rotation(a),
    secretIdRotationTrigger: a.str("rotationTrigger"),
    responseWrappingTtl:
      a.str("responseWrappingTtl") === undefined ? undefined : duration(a, "responseWrappingTtl"),
  };
}

/**
 * Reads the single-keystore stack's settings from the environment. Pure (takes the env as an argument).
 * - KVK_STACK_ID: stack id (default "vault-keystore")
 * - KVK_KEYSTORE: JSON keystore (default {"prefix":"minio"}): the KeystoreProps fields with `kvVersion` as 1 or 2,
 *   and `authMethod` as "approle" or "kubernetes", plus existingKvMount, existingAppRoleAuth, and
 *   appRole {..., rotation: {"days"|"hours"|"minutes": n}, rotationTrigger}
 * - KVK_VAULT_VERSION_OVERRIDE: the vault provider's vault_version_override (e.g. "1.14.0" for OpenBao)
 * - KVK_PROVIDER_VERSIONS: JSON map of exact provider versions (the test bed writes it)
 * - KVK_STATE_DIR: absolute folder of the state file `<stack id>.tfstate` (as the tenant stacks')
 * @throws Error naming the variable and field when a value is malformed (unknown field, wrong type, bad JSON).
 *   The keystore's own rules are checked later, by the constructs.
 */
export function keystoreStackSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): KeystoreStackSettings {
  const stackId = env.KVK_STACK_ID ?? "vault-keystore";
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(stackId)) {
    throw new Error(
      `KVK_STACK_ID ${JSON.stringify(stackId)} must match [A-Za-z0-9][A-Za-z0-9_-]*: use an id like "tenant-payments"`,
    );
  }
  const parse = (name: string, text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(
        `${name} is not valid JSON (${(e as Error).message}): e.g. ${name === "KVK_KEYSTORE" ? '{"prefix":"payments","kvVersion":2}' : '{"vault":"5.9.0"}'}`,
      );
    }
  };
  const where = "KVK_KEYSTORE";
  const k = FieldReader.of(parse(where, env.KVK_KEYSTORE ?? '{"prefix":"minio"}'), where, {
    prefix: `${where}.`,
    expected: " (a JSON object)",
  }).known(...KEYSTORE_FIELDS);
  const transitFields = k.optionalChild("transit")?.known("engine", "key");
  const keystore: KeystoreProps = {
    prefix: k.str("prefix") ?? "",
    kvEngine: k.str("kvEngine"),
    kvVersion: k.has("kvVersion") ? KvVersion.of(k.num("kvVersion") as number) : undefined,
    namespace: k.str("namespace"),
    authNamespace: k.str("authNamespace"),
    authEngine: k.str("authEngine"),
    transit: transitFields && { engine: transitFields.str("engine"), key: transitFields.str("key") ?? "" },
    kvMaxVersions: k.num("kvMaxVersions"),
    policyName: k.str("policyName"),
    roleName: k.str("roleName"),
    createNamespace: k.bool("createNamespace"),
    createTransitMount: k.bool("createTransitMount"),
    transitKeyDeletionAllowed: k.bool("transitKeyDeletionAllowed"),
    login: login(k),
  };

  let providerVersions: Record<string, string> | undefined;
  if (env.KVK_PROVIDER_VERSIONS) {
    const pv = FieldReader.of(
      parse("KVK_PROVIDER_VERSIONS", env.KVK_PROVIDER_VERSIONS),
      "KVK_PROVIDER_VERSIONS",
      {
        prefix: "KVK_PROVIDER_VERSIONS.",
        expected: " (a JSON object)",
      },
    );
    providerVersions = {};
    for (const name of pv.keys()) {
      providerVersions[name] = pv.str(name, {
        pattern: /^\d+\.\d+\.\d+$/,
        hint: 'must be an exact version like "5.9.0"',
      }) as string;
    }
  }
  if (env.KVK_STATE_DIR && !env.KVK_STATE_DIR.startsWith("/")) {
    throw new Error(
      `KVK_STATE_DIR ${JSON.stringify(env.KVK_STATE_DIR)} must be an absolute folder, e.g. "/var/lib/kvk"`,
    );
  }
  return {
    stackId,
    props: {
      keystore,
      existingKvMount: k.bool("existingKvMount"),
      existingAppRoleAuth: k.bool("existingAppRoleAuth"),
      vaultVersionOverride: env.KVK_VAULT_VERSION_OVERRIDE || undefined,
      providerVersions,
      stateDir: env.KVK_STATE_DIR || undefined,
    },
  };
}
