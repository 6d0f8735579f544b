import { randomBytes } from "node:crypto";
import { testbedBinary } from "./env";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "./process";

/** Result of a Vault HTTP API call. */
export interface VaultResponse {
  readonly status: number;
  /** Parsed JSON body, or undefined for an empty body. */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface VaultRequestOptions {
  /** Token to send; @default the root token */
  readonly token?: string;
  /** Vault namespace (X-Vault-Namespace). */
  readonly namespace?: string;
  /** Extra headers (e.g. X-Vault-Wrap-TTL). */
  readonly headers?: Record<string, string>;
}

/** A running OpenBao dev server: in memory, unsealed, with a random root token. */
export interface OpenBaoServer {
  /** http://127.0.0.1:<port> */
  readonly addr: string;
  readonly rootToken: string;
  readonly process: ManagedProcess;
  /** VAULT_ADDR/VAULT_TOKEN (terraform provider) and BAO_ADDR/BAO_TOKEN (CLI). */
  readonly env: Readonly<Record<string, string>>;
  /** Calls the HTTP API: `request("GET", "sys/health")`; path without the leading /v1/. */
  request(
    method: string,
    apiPath: string,
    body?: unknown,
    opts?: VaultRequestOptions,
  ): Promise<VaultResponse>;
  /** Stops the server by its pid. */
  stop(): Promise<void>;
}

/**
 * Starts `bao server -dev` from the test bed on a free loopback port and waits until sys/health answers.
 * @throws Error when the test bed lacks bao, or the server is not healthy within 60 s (with its output).
 */
export async function startOpenBao(): Promise<OpenBaoServer> {
  const bao = testbedBinary("bao");
  const port = await freePort();
  const rootToken = `root-${randomBytes(16).toString("hex")}`;
  const addr = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    "openbao",
    bao,
    [
      "server",
      "-dev",
      `-dev-root-token-id=${rootToken}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
      "-log-level=warn",
    ],
    { env: { ...process.env, HOME: process.env.HOME ?? "/tmp", BAO_ADDR: addr } },
  );

  const request = async (method: string, apiPath: string, body?: unknown, opts: VaultRequestOptions = {}) => {
    const headers: Record<string, string> = { "X-Vault-Token": opts.token ?? rootToken, ...opts.headers };
    if (opts.namespace) headers["X-Vault-Namespace"] = opts.namespace;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${addr}/v1/${apiPath.replace(/^\/+/, "")}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  await waitUntil(
    `OpenBao dev server on ${addr}`,
    async () => (await fetch(`${addr}/v1/sys/health`)).status === 200,
    { proc, timeoutMs: 60_000 },
  );
  return {
    addr,
    rootToken,
    process: proc,
    env: { VAULT_ADDR: addr, VAULT_TOKEN: rootToken, BAO_ADDR: addr, BAO_TOKEN: rootToken },
    request,
    stop: () => proc.stop(),
  };
}

/**
 * Awaits a setup call and returns its response.
 * @throws Error naming `what`, with OpenBao's status and body, when the call did not succeed (status >= 300).
 */
export async function mustSucceed(what: string, call: Promise<VaultResponse>): Promise<VaultResponse> {
  const r = await call;
  if (r.status >= 300) throw new Error(`openbao: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/**
 * Writes the policy `name` (HCL) and an AppRole role `name` bound to it on the `approle` mount (secret-id
 * uses unlimited, as KES needs), and returns the role-id and a fresh secret-id (a secret: never print it).
 * @param tokenOptions role token settings. @default { token_period: "300s" }
 * @throws Error from {@link mustSucceed} when a call fails (e.g. the approle mount is missing).
 */
export async function createAppRole(
  bao: Pick<OpenBaoServer, "request">,
  name: string,
  policyHcl: string,
  opts: { readonly tokenOptions?: Record<string, unknown>; readonly namespace?: string } = {},
): Promise<{ id: string; secret: string }> {
  const ns = { namespace: opts.namespace };
  const role = `auth/approle/role/${name}`;
  await mustSucceed(
    "write policy",
    bao.request("PUT", `sys/policies/acl/${name}`, { policy: policyHcl }, ns),
  );
  await mustSucceed(
    "write role",
    bao.request(
      "POST",
      role,
      { token_policies: [name], secret_id_num_uses: 0, ...(opts.tokenOptions ?? { token_period: "300s" }) },
      ns,
    ),
  );
  const id = (await mustSucceed("role-id", bao.request("GET", `${role}/role-id`, undefined, ns))).body.data
    .role_id;
  const secret = (await mustSucceed("secret-id", bao.request("POST", `${role}/secret-id`, {}, ns))).body.data
    .secret_id;
  return { id, secret };
}
