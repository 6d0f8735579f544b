/**
 * A tenant's keys in Vault, as the pipeline's own Vault credentials (VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT; the
 * ones the vault provider uses) see them: listed and deleted when a tenant is offboarded with `keys: delete`.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { KeystoreSpec } from "../../constructs/vault/keystore-spec";

/** Where Vault is and who asks: read from the environment like the vault provider does. */
export interface VaultAccess {
  readonly addr: string;
  readonly token: string;
  /** PEM of the CA to trust (VAULT_CACERT). */
  readonly ca?: string;
}

/**
 * The pipeline's Vault access from its environment.
 * @throws Error naming the missing variable.
 */
export function vaultAccessFromEnv(env: Readonly<Record<string, string | undefined>>): VaultAccess {
  const addr = env.VAULT_ADDR;
  const token = env.VAULT_TOKEN;
  if (!addr)
    throw new Error("VAULT_ADDR is not set: the rollout needs the Vault address the vault provider uses");
  if (!token) throw new Error("VAULT_TOKEN is not set: the rollout needs the token the vault provider uses");
  return {
    addr: addr.replace(/\/+$/, ""),
    token,
    ...(env.VAULT_CACERT ? { ca: fs.readFileSync(env.VAULT_CACERT, "utf8") } : {}),
  };
}

function call(
  vault: VaultAccess,
  method: string,
  apiPath: string,
  namespace: string | undefined,
): Promise<{ status: number; body: string }> {
  const url = new URL(`${vault.addr}/v1/${apiPath}`);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: { "X-Vault-Token": vault.token, ...(namespace ? { "X-Vault-Namespace": namespace } : {}) },
        timeout: 30_000,
        ...(vault.ca ? { ca: vault.ca } : {}),
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: no answer in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Names of the keys under the keystore's prefix.
 * @throws Error with Vault's status and errors when listing is refused.
 */
export async function listKeys(vault: VaultAccess, spec: KeystoreSpec): Promise<string[]> {
  const res = await call(vault, "LIST", spec.listPath(), spec.namespace);
  if (res.status === 404) return [];
  if (res.status !== 200) {
    throw new Error(
      `listing ${spec.listPath()} in Vault failed (${res.status}): ${res.body.trim().slice(0, 300)}`,
    );
  }
  const keys = (JSON.parse(res.body) as { data?: { keys?: string[] } }).data?.keys ?? [];
  return keys.filter((k) => !k.endsWith("/"));
}

/**
 * Deletes every key under the keystore's prefix (K/V v2: with all versions, through the metadata path).
 * @returns the names deleted.
 * @throws Error naming the key and Vault's answer when a delete is refused; keys deleted before stay deleted.
 */
export async function deleteKeys(vault: VaultAccess, spec: KeystoreSpec): Promise<string[]> {
  const names = await listKeys(vault, spec);
  for (const name of names) {
    const res = await call(vault, "DELETE", spec.keyDeletePath(name), spec.namespace);
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
      throw new Error(
        `deleting ${spec.keyDeletePath(name)} in Vault failed (${res.status}): ${res.body.trim().slice(0, 300)}`,
      );
    }
  }
  return names;
}
