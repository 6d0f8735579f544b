// Helpers of the live tests that log in with Vault's Kubernetes auth against the test-bed control plane.
import type { KubeControlPlane } from "../../../scripts/testbed/kube";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The body of a successful API call (OpenBao or Kubernetes).
 * @throws Error naming `what`, with the status and body, when the call answered 300 or more.
 */
export async function must(what: string, call: Promise<{ status: number; body: Json }>): Promise<Json> {
  const r = await call;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * A token of service account `sa` in namespace `ns` from the TokenRequest API (what the kubelet puts in a
 * projected volume), for `audiences` (the API server's own when undefined), valid `expirationSeconds`.
 * @throws Error when the API server refuses the request.
 */
export async function serviceAccountToken(
  kube: KubeControlPlane,
  ns: string,
  sa: string,
  audiences: string[] | undefined,
  expirationSeconds = 600,
): Promise<string> {
  const body = await must(
    `token of ${ns}/${sa}`,
    kube.request("POST", `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { ...(audiences === undefined ? {} : { audiences }), expirationSeconds },
    }),
  );
  return body.status.token as string;
}
