import { containerFromPod, projectedTokenRequests } from "../../../shared/api-pods";

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A pod as the API server returns it (camelCase, modes as numbers). */
const pod = () => ({
  metadata: { name: "keyserver-abc", namespace: "payments" },
  spec: {
    containers: [
      {
        name: "keyserver",
        image: "node:22",
        command: ["node"],
        args: ["/opt/keyserver/keyserver.cjs", "server"],
        env: [
          { name: "KEYSERVER_ADDRESS", value: "0.0.0.0:7373" },
          { name: "ROLE", valueFrom: { secretKeyRef: { name: "keyserver", key: "vault-role-id" } } },
        ],
        volumeMounts: [
          { name: "config", mountPath: "/etc/keyserver/config", readOnly: true },
          { name: "tls", mountPath: "/etc/keyserver/tls", readOnly: true },
          { name: "vault-token", mountPath: "/var/run/secrets/vault", readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
        readinessProbe: { httpGet: { path: "/v1/ready", port: 7373, scheme: "HTTPS" } },
      },
    ],
    volumes: [
      {
        name: "config",
        configMap: {
          name: "keyserver",
          defaultMode: 0o444,
          items: [{ key: "config.yaml", path: "config.yaml" }],
        },
      },
      {
        name: "tls",
        secret: { secretName: "keyserver", defaultMode: 0o440, items: [{ key: "tls.key", path: "tls.key" }] },
      },
      {
        name: "vault-token",
        projected: {
          defaultMode: 0o440,
          sources: [{ serviceAccountToken: { audience: "vault", expirationSeconds: 600, path: "token" } }],
        },
      },
      { name: "tmp", emptyDir: {} },
    ],
  },
});

const objects = {
  secrets: { keyserver: { data: { "vault-role-id": b64("role-1"), "tls.key": b64("KEY") } } },
  configMaps: { keyserver: { data: { "config.yaml": "version: v1\n" } } },
  tokens: { vault: "jwt-for-vault" },
};

describe("containerFromPod", () => {
  test("GIVEN a pod read back from the API WHEN read THEN env, files and writable dirs carry the referenced values", () => {
    const c = containerFromPod(pod(), "deployment", objects);
    expect(c.command).toEqual(["node"]);
    expect(c.env).toEqual([
      { name: "KEYSERVER_ADDRESS", value: "0.0.0.0:7373" },
      { name: "ROLE", value: "role-1" },
    ]);
    expect(c.files).toEqual([
      { path: "/etc/keyserver/config/config.yaml", mode: "0444", content: "version: v1\n" },
      { path: "/etc/keyserver/tls/tls.key", mode: "0440", content: "KEY" },
      { path: "/var/run/secrets/vault/token", mode: "0440", content: "jwt-for-vault" },
    ]);
    expect(c.writableDirs).toEqual(["/tmp"]);
    expect(c.readiness).toEqual({ path: "/v1/ready", port: 7373, scheme: "HTTPS" });
  });

  test("GIVEN a pod with a projected token WHEN its token requests are listed THEN audience and lifetime are given", () => {
    expect(projectedTokenRequests(pod())).toEqual([{ audience: "vault", expirationSeconds: 600 }]);
  });

  test("fails when a referenced Secret key is missing", () => {
    expect(() =>
      containerFromPod(pod(), "deployment", { ...objects, secrets: { keyserver: { data: {} } } }),
    ).toThrow(
      "pod payments/keyserver-abc: env ROLE needs key vault-role-id of Secret keyserver, which is missing",
    );
  });

  test("fails when no token was fetched for the projected audience", () => {
    expect(() => containerFromPod(pod(), "deployment", { ...objects, tokens: {} })).toThrow(
      'pod payments/keyserver-abc: no token for audience "vault"',
    );
  });
});
