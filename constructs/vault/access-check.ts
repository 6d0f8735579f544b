import type { KeystoreSpec } from "./keystore-spec";
import { keystorePolicyRules, type PolicyRule, type VaultCapability } from "./policy-rules";

/** A request as the key server (or anyone holding its token) would send it. */
export interface VaultRequest {
  /** The capability the request needs: PUT/POST on a new path is "create", on an existing one "update". */
  readonly operation: Exclude<VaultCapability, "deny">;
  /** API path without `/v1/`, relative to `namespace`; `?list=true` requests name the folder. */
  readonly path: string;
  /**
   * The X-Vault-Namespace header sent with the request.
   * @default - none (the root namespace)
   */
  readonly namespace?: string;
}

function capabilitiesFor(rules: readonly PolicyRule[], path: string): readonly VaultCapability[] {
  const exact = rules.find((r) => !r.path.endsWith("*") && r.path === path);
  if (exact) return exact.capabilities;
  // Vault: the longest matching glob prefix wins. Our rules never use "+", so that is the whole rule.
  let best: PolicyRule | undefined;
  for (const r of rules) {
    if (!r.path.endsWith("*")) continue;
    const prefix = r.path.slice(0, -1);
    if (path.startsWith(prefix) && (best === undefined || prefix.length > best.path.length - 1)) best = r;
  }
  return best?.capabilities ?? [];
}

/**
 * Evaluates policy rules for one path and capability as Vault's ACL does for a policy without `+` globs:
 * exact path first, else the longest glob prefix; `deny` wins; LIST paths get a trailing "/". Pure.
 */
export function rulesAllow(
  rules: readonly PolicyRule[],
  operation: Exclude<VaultCapability, "deny">,
  path: string,
): boolean {
  let p = path.replace(/^\/+/, "");
  if (operation === "list" && !p.endsWith("/")) p += "/";
  const caps = capabilitiesFor(rules, p);
  return !caps.includes("deny") && caps.includes(operation);
}

const SELF_OPERATIONS = ["auth/token/renew-self", "auth/token/lookup-self"];

/**
 * Whether a token issued by the keystore's role (its only policy being the keystore policy) may perform the
 * request. Resolves the namespace header against the auth namespace where the token and the policy live:
 * paths outside it are denied. Token self-operations (renew-self, lookup-self) sent through a descendant
 * namespace are checked in the token's namespace, as OpenBao does. Pure; the live tests check that OpenBao agrees on every request they try.
 */
export function keystoreAllows(spec: KeystoreSpec, request: VaultRequest): boolean {
  const header = (request.namespace ?? "").replace(/^\/+|\/+$/g, "");
  const full = [header, request.path.replace(/^\/+/, "")].filter((s) => s !== "").join("/");
  const home = spec.effectiveAuthNamespace;
  const self = request.path.replace(/^\/+/, "");
  if (SELF_OPERATIONS.includes(self) && (header === home || home === "" || header.startsWith(`${home}/`))) {
    // Token self-operations are evaluated in the token's namespace even when sent through a child namespace.
    return rulesAllow(keystorePolicyRules(spec), request.operation, self);
  }
  let relative: string;
  if (home === "") {
    relative = full;
  } else if (full.startsWith(`${home}/`)) {
    relative = full.slice(home.length + 1);
  } else {
    return false;
  }
  return rulesAllow(keystorePolicyRules(spec), request.operation, relative);
}
