/**
 * Limits and value checks shared by the workload constructs and the tenants file, so both accept exactly the
 * same values. Pure; unresolved tokens are skipped.
 */
import { Token } from "cdktf";
import { isIP } from "node:net";

/** Most key server replicas a KeyServer (and a tenants file) accepts. */
export const MAX_KEY_SERVER_REPLICAS = 1000;
/** Most MinIO replicas a Minio (and a tenants file) accepts: MinIO's largest erasure set is 32 drives wide. */
export const MAX_MINIO_REPLICAS = 32;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/;

/**
 * The problem with a container image reference, or undefined when it looks like one (no whitespace, not empty).
 */
export function imageProblem(value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (value.trim() === "") return "must not be empty";
  if (!IMAGE.test(value)) return "is not an image reference";
  return undefined;
}

/**
 * The problem with a DNS-1123 subdomain (StorageClass, Secret and other object names), or undefined.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export function dnsSubdomainProblem(value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return "must be a DNS subdomain ([a-z0-9-.], at most 253 characters, starting and ending with a letter or digit)";
  }
  return undefined;
}

/**
 * The problem with a DNS name for a certificate's subject alternative names (a DNS subdomain, optionally with a
 * leading wildcard label `*.`), or undefined.
 */
export function certificateDnsNameProblem(value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  const p = dnsSubdomainProblem(value.startsWith("*.") ? value.slice(2) : value);
  return p === undefined
    ? undefined
    : `is not a DNS name (lowercase [a-z0-9-.], optionally starting with "*.")`;
}

/** The problem with an IPv4 or IPv6 address, or undefined. */
export function ipAddressProblem(value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  return isIP(value) === 0 ? "is not an IP address" : undefined;
}

/**
 * Throws with the field, the value, the problem and an example when `problem(value)` finds one.
 * @throws Error `<field> "<value>" <problem>: use e.g. <example>`.
 */
export function check(
  field: string,
  value: string | undefined,
  problem: (v: string) => string | undefined,
  example: string,
): void {
  if (value === undefined) return;
  const p = problem(value);
  if (p !== undefined) throw new Error(`${field} ${JSON.stringify(value)} ${p}: use e.g. ${example}`);
}
