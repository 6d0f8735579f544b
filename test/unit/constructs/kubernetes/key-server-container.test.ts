import { keyServerEnv, keyServerProbe } from "../../../../constructs/kubernetes/key-server-container";

describe("key server container", () => {
  test("GIVEN Kubernetes login WHEN the env is rendered THEN it only holds the listen address", () => {
    expect(keyServerEnv("keyserver", false)).toEqual([{ name: "KEYSERVER_ADDRESS", value: "0.0.0.0:7373" }]);
  });

  test("GIVEN AppRole login WHEN the env is rendered THEN role-id and secret-id come from the Secret's keys", () => {
    const env = keyServerEnv("ks-secret", true);
    expect(env.slice(1)).toEqual([
      {
        name: "KEYSERVER_VAULT_ROLE_ID",
        valueFrom: { secretKeyRef: { name: "ks-secret", key: "vault-role-id" } },
      },
      {
        name: "KEYSERVER_VAULT_SECRET_ID",
        valueFrom: { secretKeyRef: { name: "ks-secret", key: "vault-secret-id" } },
      },
    ]);
  });

  test("GIVEN a threshold and a period WHEN a probe is built THEN it asks /v1/ready over HTTPS on 7373", () => {
    expect(keyServerProbe(6, 20)).toEqual({
      httpGet: { path: "/v1/ready", port: "7373", scheme: "HTTPS" },
      initialDelaySeconds: 2,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 6,
    });
  });
});
