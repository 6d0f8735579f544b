// The Vault requests a KES key server makes (KES-PROTOCOL.md §5), run with a given token, and denial probes.
import type { KeystoreSpec, VaultRequest } from "../../../constructs/spec";
import type { OpenBaoServer } from "../../../scripts/testbed/openbao";

/** One HTTP request, the capability Vault checks for it, and what OpenBao answered. */
export interface Tried {
  readonly label: string;
  readonly method: string;
  readonly request: VaultRequest;
  readonly status: number;
}

/** A request to try. `operation` is the capability Vault checks (PUT on a new path: create; existing: update). */
export interface Probe {
  readonly label: string;
  readonly method: string;
  readonly request: VaultRequest;
  readonly body?: unknown;
  /** Query string (without "?"), e.g. "version=1". */
  readonly query?: string;
}

async function tryAll(bao: OpenBaoServer, token: string, probes: readonly Probe[]): Promise<Tried[]> {
  const out: Tried[] = [];
  for (const p of probes) {
    const query = [p.query, p.method === "LIST" ? "list=true" : undefined]
      .filter((q) => q !== undefined)
      .join("&");
    const apiPath = query === "" ? p.request.path : `${p.request.path}?${query}`;
    const method = p.method === "LIST" ? "GET" : p.method;
    const r = await bao.request(method, apiPath, p.body, { token, namespace: p.request.namespace });
    out.push({ label: p.label, method: p.method, request: p.request, status: r.status });
  }
  return out;
}

/**
 * Logs in as the key server does (AppRole, in the auth namespace).
 * @throws Error with the status when the login fails.
 */
export async function login(
  bao: OpenBaoServer,
  spec: KeystoreSpec,
  roleId: string,
  secretId: string,
): Promise<string> {
  const r = await loginStatus(bao, spec, roleId, secretId);
  if (r.status !== 200) throw new Error(`approle login failed: ${r.status} ${JSON.stringify(r.errors)}`);
  return r.token;
}

/** Logs in and returns the status (and token on success), without throwing. */
export async function loginStatus(
  bao: OpenBaoServer,
  spec: KeystoreSpec,
  roleId: string,
  secretId: string,
): Promise<{ status: number; token: string; errors?: unknown }> {
  const ns = spec.effectiveAuthNamespace;
  const r = await bao.request(
    "POST",
    `auth/${spec.authEngine}/login`,
    { role_id: roleId, secret_id: secretId },
    {
      token: "",
      namespace: ns === "" ? undefined : ns,
    },
  );
  return { status: r.status, token: r.body?.auth?.client_token ?? "", errors: r.body?.errors };
}

/**
 * Every request the key server makes for one key's life, in order: existence check, create, read, list,
 * transit encrypt/decrypt (when configured), token renew/lookup, delete.
 */
export function keyServerProbes(
  spec: KeystoreSpec,
  keyName: string,
  opts: { namespace?: string } = {},
): Probe[] {
  const namespace = opts.namespace ?? spec.namespace;
  const v2 = spec.kvVersion.version === 2;
  const value = Buffer.from(`key material of ${keyName}`).toString("base64");
  const r = (operation: VaultRequest["operation"], path: string): VaultRequest => ({
    operation,
    path,
    namespace,
  });
  const probes: Probe[] = [
    { label: "existence check", method: "GET", request: r("read", spec.keyDataPath(keyName)) },
    {
      label: "create",
      method: "PUT",
      request: r("create", spec.keyDataPath(keyName)),
      body: v2 ? { options: { cas: 0 }, data: { [keyName]: value } } : { [keyName]: value },
    },
    {
      label: "read",
      method: "GET",
      request: r("read", spec.keyDataPath(keyName)),
      ...(v2 ? { query: "version=1" } : {}),
    },
    { label: "list", method: "LIST", request: r("list", spec.listPath()) },
  ];
  if (spec.transit) {
    probes.push({
      label: "transit encrypt",
      method: "POST",
      request: r("update", `${spec.transit.engine}/encrypt/${spec.transit.key}`),
      body: { plaintext: value },
    });
  }
  probes.push(
    { label: "renew-self", method: "POST", request: r("update", "auth/token/renew-self"), body: {} },
    { label: "lookup-self", method: "GET", request: r("read", "auth/token/lookup-self") },
    { label: "delete", method: "DELETE", request: r("delete", spec.keyDeletePath(keyName)) },
  );
  return probes;
}

/** Runs the key server's requests; a transit decrypt of the encrypt's ciphertext is appended when configured. */
export async function runKeyServerRequests(
  bao: OpenBaoServer,
  spec: KeystoreSpec,
  token: string,
  keyName: string,
): Promise<Tried[]> {
  const probes = keyServerProbes(spec, keyName);
  const tried = await tryAll(bao, token, probes);
  if (spec.transit) {
    const value = Buffer.from("probe").toString("base64");
    const enc = await bao.request(
      "POST",
      `${spec.transit.engine}/encrypt/${spec.transit.key}`,
      { plaintext: value },
      { token, namespace: spec.namespace },
    );
    const ciphertext: string = enc.body?.data?.ciphertext ?? "";
    if (!ciphertext.startsWith("vault:v1:"))
      throw new Error(`transit encrypt returned ${enc.status} ${JSON.stringify(enc.body?.errors)}`);
    tried.push(
      ...(await tryAll(bao, token, [
        {
          label: "transit decrypt",
          method: "POST",
          request: {
            operation: "update",
            path: `${spec.transit.engine}/decrypt/${spec.transit.key}`,
            namespace: spec.namespace,
          },
          body: { ciphertext },
        },
      ])),
    );
  }
  return tried;
}

/**
 * Requests the key server's token must not be able to make: the mount root, an overwrite of an existing key,
 * sys/, a policy write and a secret-id mint. `existingKey` must exist under the tenant's prefix.
 */
export function forbiddenProbes(spec: KeystoreSpec, existingKey: string): Probe[] {
  const ns = spec.namespace;
  const v2 = spec.kvVersion.version === 2;
  const authNs = spec.effectiveAuthNamespace === "" ? undefined : spec.effectiveAuthNamespace;
  const r = (operation: VaultRequest["operation"], path: string, namespace = ns): VaultRequest => ({
    operation,
    path,
    namespace,
  });
  const rootList = v2 ? `${spec.kvEngine}/metadata` : spec.kvEngine;
  const rootKey = v2 ? `${spec.kvEngine}/data/outside` : `${spec.kvEngine}/outside`;
  return [
    { label: "list the mount root", method: "LIST", request: r("list", rootList) },
    { label: "read at the mount root", method: "GET", request: r("read", rootKey) },
    {
      label: "create at the mount root",
      method: "PUT",
      request: r("create", rootKey),
      body: v2 ? { data: { x: "y" } } : { x: "y" },
    },
    {
      label: "overwrite an existing key",
      method: "PUT",
      request: r("update", spec.keyDataPath(existingKey)),
      body: v2 ? { data: { [existingKey]: "overwritten" } } : { [existingKey]: "overwritten" },
    },
    {
      label: "list a sub-folder of the prefix",
      method: "LIST",
      request: r("list", `${spec.listPath()}/sub`),
    },
    { label: "read sys/mounts", method: "GET", request: r("read", "sys/mounts") },
    {
      label: "read sys/mounts in the root namespace",
      method: "GET",
      request: r("read", "sys/mounts", undefined),
    },
    { label: "list policies", method: "LIST", request: r("list", "sys/policies/acl", authNs) },
    {
      label: "policy write",
      method: "PUT",
      request: r("create", "sys/policies/acl/escalate", authNs),
      body: { policy: 'path "*" { capabilities = ["sudo", "read", "create", "update", "delete", "list"] }' },
    },
    {
      label: "secret-id mint",
      method: "POST",
      request: r("update", `auth/${spec.authEngine}/role/${spec.roleName}/secret-id`, authNs),
      body: {},
    },
    {
      label: "role-id read",
      method: "GET",
      request: r("read", `auth/${spec.authEngine}/role/${spec.roleName}/role-id`, authNs),
    },
    { label: "token create", method: "POST", request: r("update", "auth/token/create", authNs), body: {} },
    {
      label: "cubbyhole write (no default policy)",
      method: "PUT",
      request: r("create", "cubbyhole/x", authNs),
      body: { x: "y" },
    },
  ];
}

/** Requests on another tenant's keystore, as its key server would make them. */
export function otherTenantProbes(other: KeystoreSpec, keyName: string): Probe[] {
  return keyServerProbes(other, keyName).filter((p) => !p.request.path.startsWith("auth/token/"));
}

/** Runs probes with a token. */
export function runProbes(bao: OpenBaoServer, token: string, probes: readonly Probe[]): Promise<Tried[]> {
  return tryAll(bao, token, probes);
}
