/**
 * The key server policy of a MinIO tenant: every call MinIO makes (create, generate, encrypt, decrypt, hmac,
 * describe, list on its own keys; status, metrics, API list) and never delete, scoped to the tenant's key-name
 * prefix. Pure.
 * @see ../../docs/kubernetes.md#minios-policy-on-the-key-server
 */

/** Allow and deny patterns of one key server policy, as in the config file. */
export interface KeyPolicyPatterns {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

const KEY_ROUTES = ["create", "generate", "encrypt", "decrypt", "hmac", "describe", "list"] as const;
const SERVER_ROUTES = ["/v1/status", "/v1/metrics", "/v1/api"] as const;
/** Characters of a key name (KES' validName), without the position rules for "-". */
const NAME_CHARS = /^[0-9A-Za-z_-]+$/;
const MAX_NAME_LENGTH = 80;

/**
 * Checks a key-name prefix: 1 to 60 characters of [0-9A-Za-z_-], not starting with "-" (it starts every key
 * name, so it must leave room for the rest of an 80-character name).
 * @throws Error naming `field`, showing the value and the fix.
 */
export function checkKeyNamePrefix(field: string, prefix: string): void {
  if (prefix.length === 0 || prefix.length > 60 || !NAME_CHARS.test(prefix) || prefix.startsWith("-")) {
    throw new Error(
      `${field} ${JSON.stringify(prefix)} must be 1 to 60 characters of [0-9A-Za-z_-], not starting with "-": use the tenant name and a dash, e.g. "payments-"`,
    );
  }
}

/**
 * Checks a key name: 1 to 80 characters of [0-9A-Za-z_-], no leading or trailing "-" (KES' validName).
 * @throws Error naming `field`, showing the value and the fix.
 */
export function checkKeyName(field: string, name: string): void {
  if (
    name.length === 0 ||
    name.length > MAX_NAME_LENGTH ||
    !NAME_CHARS.test(name) ||
    name.startsWith("-") ||
    name.endsWith("-") ||
    name === "_"
  ) {
    throw new Error(
      `${field} ${JSON.stringify(name)} is not a valid key name: use 1 to 80 characters of [0-9A-Za-z_-] without a leading or trailing "-", e.g. "payments-default"`,
    );
  }
}

/**
 * The policy MinIO gets on its key server, limited to keys whose names start with `keyNamePrefix`.
 * @throws Error from {@link checkKeyNamePrefix} when the prefix is malformed.
 */
export function minioKeyPolicy(keyNamePrefix: string): KeyPolicyPatterns {
  checkKeyNamePrefix("keyNamePrefix", keyNamePrefix);
  return {
    allow: [...KEY_ROUTES.map((route) => `/v1/key/${route}/${keyNamePrefix}*`), ...SERVER_ROUTES],
    deny: ["/v1/key/delete/*"],
  };
}
