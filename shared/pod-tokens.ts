/**
 * What a kubelet does for a pod's projected service-account token volumes: one TokenRequest per audience for the
 * pod's service account, through the API server (used by the doctor and the local runner, which read pods back
 * and start them as processes).
 */
import { projectedTokenRequests } from "./api-pods";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of a Kubernetes API client a TokenRequest needs. */
export interface TokenRequestClient {
  request(method: "POST", apiPath: string, body: unknown): Promise<{ status: number; body: Json }>;
}

/**
 * The tokens the pod's projected volumes ask for, by audience ("" for the API server's default audience).
 * @param expirationSeconds lifetime to ask for.
 * @default - what each projection asks for (3600 s unless set)
 * @throws Error naming the service account and the API server's answer when it refuses a request.
 */
export async function requestProjectedTokens(
  kube: TokenRequestClient,
  pod: Json,
  expirationSeconds?: number,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace as string;
  const sa = (pod.spec?.serviceAccountName as string | undefined) ?? "default";
  const tokens: Record<string, string> = {};
  for (const t of projectedTokenRequests(pod)) {
    const r = await kube.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        ...(t.audience ? { audiences: [t.audience] } : {}),
        expirationSeconds: expirationSeconds ?? t.expirationSeconds,
      },
    });
    if (r.status !== 201) {
      throw new Error(
        `token request for service account ${namespace}/${sa}: HTTP ${r.status} ${r.body?.message ?? JSON.stringify(r.body)}`,
      );
    }
    tokens[t.audience] = r.body.status.token as string;
  }
  return tokens;
}
