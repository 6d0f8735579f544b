import * as path from "node:path";
import {
  KvVersion,
  SecretIdRotation,
  Duration,
  KeystoreLogin,
  type AppRoleOptions,
  type KeystoreProps,
  type KubernetesLoginOptions,
} from "../constructs";
import type { VaultKeystoreStackProps } from "./vault-keystore-stack";

/** What stacks/main.ts builds: a stack id and its props. */
export interface KeystoreStackSettings {
  readonly stackId: string;
  readonly props: VaultKeystoreStackProps;
}

type Json = Record<string, unknown>;

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

function object(where: string, value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where} must be a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Json;
}

function onlyKnown(where: string, obj: Json, known: readonly string[]): void {
  const unknown = Object.keys(obj).find((k) => !known.includes(k));
  if (unknown !== undefined)
    throw new Error(`${where}.${unknown} is not a known field: use one of ${known.join(", ")}`);
}

function typed<T>(
  where: string,
  obj: Json,
  key: string,
  type: "string" | "number" | "boolean",
): T | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new Error(`${where}.${key} must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

function strings(where: string, obj: Json, key: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new Error(`${where}.${key} must be a list of strings, got ${JSON.stringify(v)}`);
  }
  return v as string[];
}

function rotation(where: string, value: unknown): SecretIdRotation | undefined {
  if (value === undefined) return undefined;
  const r = object(where, value);
  onlyKnown(where, r, ["days", "hours", "minutes"]);
  const keys = Object.keys(r);
  if (keys.length !== 1 || typeof r[keys[0]] !== "number") {
    throw new Error(
      `${where} must have exactly one of days, hours, minutes as a number, e.g. {"days": 30}, got ${JSON.stringify(value)}`,
    );
  }
  const n = r[keys[0]] as number;
  return keys[0] === "days"
    ? SecretIdRotation.everyDays(n)
    : keys[0] === "hours"
      ? SecretIdRotation.everyHours(n)
      : SecretIdRotation.everyMinutes(n);
}

/** A duration field: a number of seconds (`...Seconds`) or a string like "5m", as a Duration. */
function duration(where: string, obj: Json, key: string): Duration | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  try {
    return typeof v === "string"
      ? Duration.parse(v)
      : Duration.seconds(typed<number>(where, obj, key, "number")!);
  } catch (e) {
    throw new Error(`${where}.${key}: ${(e as Error).message}`);
  }
}

function kubernetesAuth(where: string, value: unknown): KubernetesLoginOptions | undefined {
  if (value === undefined) return undefined;
  const k = object(where, value);
  onlyKnown(where, k, ["serviceAccountNames", "serviceAccountNamespaces", "audience", "tokenPeriodSeconds"]);
  return {
    serviceAccountNames: strings(where, k, "serviceAccountNames"),
    serviceAccountNamespaces: strings(where, k, "serviceAccountNamespaces"),
    audience: typed<string>(where, k, "audience", "string"),
    tokenPeriod: duration(where, k, "tokenPeriodSeconds"),
  };
}

/** The login from `authMethod` and the options of that method (the other method's options refused). */
function login(where: string, k: Json): KeystoreLogin | undefined {
  const method = k.authMethod;
  if (method !== undefined && method !== "approle" && method !== "kubernetes") {
    throw new Error(
      `${where}.authMethod ${JSON.stringify(method)} is not supported: use "approle" or "kubernetes"`,
    );
  }
  const [own, other] =
    method === "kubernetes" ? ["kubernetesAuth", "appRole"] : ["appRole", "kubernetesAuth"];
  if (k[other] !== undefined) {
    throw new Error(
      `${where}.${other} is set but authMethod is ${JSON.stringify(method ?? "approle")}: drop ${other}, or set authMethod to ${JSON.stringify(method === "kubernetes" ? "approle" : "kubernetes")}`,
    );
  }
  if (method === "kubernetes") return KeystoreLogin.kubernetes(kubernetesAuth(`${where}.${own}`, k[own]));
  const options = appRole(`${where}.${own}`, k[own]);
  return options === undefined ? undefined : KeystoreLogin.appRole(options);
}

function appRole(where: string, value: unknown): AppRoleOptions | undefined {
  if (value === undefined) return undefined;
  const a = object(where, value);
  onlyKnown(where, a, APPROLE_FIELDS);
  const n = (k: string) => duration(where, a, k);
  return {
    tokenPeriod: n("tokenPeriodSeconds"),
    tokenTtl: n("tokenTtlSeconds"),
    tokenMaxTtl: n("tokenMaxTtlSeconds"),
    secretIdTtl: n("secretIdTtlSeconds"),
    tokenBoundCidrs: strings(where, a, "tokenBoundCidrs"),
    secretIdBoundCidrs: strings(where, a, "secretIdBoundCidrs"),
    secretIdRotation: rotation(`${where}.rotation`, a.rotation),
    secretIdRotationTrigger: typed<string>(where, a, "rotationTrigger", "string"),
    responseWrappingTtl:
      typed<string>(where, a, "responseWrappingTtl", "string") === undefined
        ? undefined
        : duration(where, a, "responseWrappingTtl"),
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
 * - KVK_STATE_DIR: absolute folder for terraform.<stack id>.tfstate
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
  const k = object(where, parse(where, env.KVK_KEYSTORE ?? '{"prefix":"minio"}'));
  onlyKnown(where, k, KEYSTORE_FIELDS);
  const s = (key: string) => typed<string>(where, k, key, "string");
  const b = (key: string) => typed<boolean>(where, k, key, "boolean");
  const version = typed<number>(where, k, "kvVersion", "number");
  let transit: KeystoreProps["transit"];
  if (k.transit !== undefined) {
    const t = object(`${where}.transit`, k.transit);
    onlyKnown(`${where}.transit`, t, ["engine", "key"]);
    transit = {
      engine: typed<string>(`${where}.transit`, t, "engine", "string"),
      key: typed<string>(`${where}.transit`, t, "key", "string") ?? "",
    };
  }
  const keystore: KeystoreProps = {
    prefix: s("prefix") ?? "",
    kvEngine: s("kvEngine"),
    kvVersion: version === undefined ? undefined : KvVersion.of(version),
    namespace: s("namespace"),
    authNamespace: s("authNamespace"),
    authEngine: s("authEngine"),
    transit,
    kvMaxVersions: typed<number>(where, k, "kvMaxVersions", "number"),
    policyName: s("policyName"),
    roleName: s("roleName"),
    createNamespace: b("createNamespace"),
    createTransitMount: b("createTransitMount"),
    transitKeyDeletionAllowed: b("transitKeyDeletionAllowed"),
    login: login(where, k),
  };

  let providerVersions: Record<string, string> | undefined;
  if (env.KVK_PROVIDER_VERSIONS) {
    const pv = object("KVK_PROVIDER_VERSIONS", parse("KVK_PROVIDER_VERSIONS", env.KVK_PROVIDER_VERSIONS));
    for (const [name, v] of Object.entries(pv)) {
      if (typeof v !== "string" || !/^\d+\.\d+\.\d+$/.test(v)) {
        throw new Error(
          `KVK_PROVIDER_VERSIONS.${name} ${JSON.stringify(v)} must be an exact version like "5.9.0"`,
        );
      }
    }
    providerVersions = pv as Record<string, string>;
  }
  let statePath: string | undefined;
  if (env.KVK_STATE_DIR) {
    if (!path.isAbsolute(env.KVK_STATE_DIR)) {
      throw new Error(
        `KVK_STATE_DIR ${JSON.stringify(env.KVK_STATE_DIR)} must be an absolute folder, e.g. "/var/lib/kvk"`,
      );
    }
    statePath = path.join(env.KVK_STATE_DIR, `terraform.${stackId}.tfstate`);
  }
  return {
    stackId,
    props: {
      keystore,
      existingKvMount: b("existingKvMount"),
      existingAppRoleAuth: b("existingAppRoleAuth"),
      vaultVersionOverride: env.KVK_VAULT_VERSION_OVERRIDE || undefined,
      providerVersions,
      statePath,
    },
  };
}
