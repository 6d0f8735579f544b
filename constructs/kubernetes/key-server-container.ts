/**
 * The key server's container settings that are pure values: its environment and its probes. The construct
 * wires them into the Deployment.
 * @see ../../docs/kubernetes.md#the-key-servers-pod
 */
import type { DeploymentV1SpecTemplateSpecContainerEnv } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import {
  ENV_KEYSERVER_ADDRESS,
  ENV_VAULT_ROLE_ID,
  ENV_VAULT_SECRET_ID,
  KEYSERVER_PORT,
  KEYSERVER_SECRET_KEYS,
} from "./paths";
import { httpProbe } from "./pod-template";

/**
 * The key server's environment: its listen address, and with AppRole login the role-id and secret-id read from
 * the key server's Secret (`secretName`), never written into the pod spec.
 */
export function keyServerEnv(
  secretName: string,
  appRole: boolean,
): DeploymentV1SpecTemplateSpecContainerEnv[] {
  const env: DeploymentV1SpecTemplateSpecContainerEnv[] = [
    { name: ENV_KEYSERVER_ADDRESS, value: `0.0.0.0:${KEYSERVER_PORT}` },
  ];
  if (appRole) {
    env.push(
      {
        name: ENV_VAULT_ROLE_ID,
        valueFrom: { secretKeyRef: { name: secretName, key: KEYSERVER_SECRET_KEYS.roleId } },
      },
      {
        name: ENV_VAULT_SECRET_ID,
        valueFrom: { secretKeyRef: { name: secretName, key: KEYSERVER_SECRET_KEYS.secretId } },
      },
    );
  }
  return env;
}

/** A probe on the key server's readiness endpoint over HTTPS (the server only speaks TLS). */
export function keyServerProbe(failureThreshold: number, periodSeconds: number) {
  return httpProbe({
    path: "/v1/ready",
    port: KEYSERVER_PORT,
    scheme: "HTTPS",
    initialDelaySeconds: 2,
    periodSeconds,
    failureThreshold,
  });
}
