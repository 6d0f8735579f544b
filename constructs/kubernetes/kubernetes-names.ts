/**
 * Kubernetes name rules and the labels every object of the kit carries. Pure.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
import { Token } from "cdktf";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a DNS-1123 label (names of Services, namespaces, StatefulSets): lowercase alphanumerics and "-",
 * 1 to `maxLength` characters, starting and ending alphanumeric. Unresolved tokens are skipped.
 * @throws Error naming `field`, showing the value and the fix.
 */
export function checkDnsLabel(field: string, value: string, maxLength = 63): void {
  if (Token.isUnresolved(value)) return;
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    throw new Error(
      `${field} ${JSON.stringify(value)} must be a DNS label of at most ${maxLength} characters ([a-z0-9-], starting and ending with a letter or digit): use e.g. "payments"`,
    );
  }
}

/**
 * Checks a whole number within bounds. Unresolved tokens are skipped.
 * @throws Error naming `field`, showing the value and the allowed range.
 */
export function checkCount(field: string, value: number, min: number, max = 1000): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${field} ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
  }
}

/** The recommended labels of one workload: the selector labels plus part-of and managed-by. */
export function workloadLabels(component: string, instance: string): Record<string, string> {
  return {
    ...selectorLabels(component, instance),
    "app.kubernetes.io/part-of": "kes-vault-kit",
    "app.kubernetes.io/managed-by": "cdktf",
  };
}

/** Metadata every object of one workload shares: its name, namespace and recommended labels. */
export interface WorkloadMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The metadata of one workload's objects (`component` is its `app.kubernetes.io/name`). */
export function workloadMetadata(component: string, name: string, namespace: string): WorkloadMetadata {
  return { name, namespace, labels: workloadLabels(component, name) };
}

/** The labels that select one workload's pods (stable: changing them replaces Deployments). */
export function selectorLabels(component: string, instance: string): Record<string, string> {
  return { "app.kubernetes.io/name": component, "app.kubernetes.io/instance": instance };
}
