import { parseConfig } from "../../../../runtime/src/config/parse";
import { renderConfigYaml, type KesConfigFile } from "../../../../runtime/src/config/schema";

const ADMIN = "3ecfcdf38fcbe141ae26a1030f81e96b753365a46760ae6b578698a97c59fd22";

const file: KesConfigFile = {
  address: "0.0.0.0:7373",
  admin: { identity: ADMIN },
  tls: { key: "/etc/kes/tls/tls.key", cert: "/etc/kes/tls/tls.crt" },
  policy: {
    minio: {
      allow: ["/v1/key/create/minio-*", "/v1/key/generate/minio-*", "/v1/key/decrypt/minio-*"],
      identities: [{ cert: "/etc/kes/minio/tls.crt" }],
    },
  },
  cache: { expiry: { any: "5m", unused: "30s" } },
  log: { error: "on", audit: "off" },
  keys: [{ name: "minio-default" }],
  keystore: {
    vault: {
      endpoint: "https://vault:8200",
      engine: "kv",
      version: "v1",
      prefix: "payments",
      approle: { id: "${VAULT_ROLE_ID}", secret: "${VAULT_SECRET_ID}" },
    },
  },
};

describe("renderConfigYaml", () => {
  test("GIVEN a config WHEN rendered and parsed back THEN the server reads the same settings", () => {
    const parsed = parseConfig(renderConfigYaml(file), { VAULT_ROLE_ID: "role", VAULT_SECRET_ID: "secret" });
    expect(parsed.policies.minio.identities).toEqual([{ kind: "cert", path: "/etc/kes/minio/tls.crt" }]);
    expect(parsed.keystore).toMatchObject({
      kind: "vault",
      vault: { prefix: "payments", approle: { id: "role", secret: "secret" } },
    });
    expect(parsed.keys).toEqual(["minio-default"]);
    expect(parsed.log.auditLevel).toBe(9);
  });

  test("GIVEN ${ENV} references WHEN rendered THEN they are written as references, not resolved", () => {
    const yaml = renderConfigYaml(file);
    expect(yaml).toContain("secret: ${VAULT_SECRET_ID}");
    expect(yaml).not.toContain("undefined");
  });

  test("GIVEN a config WHEN rendered THEN version v1 comes first and the keystore last", () => {
    const yaml = renderConfigYaml(file);
    expect(yaml.startsWith("version: v1\n")).toBe(true);
    expect(yaml.indexOf("keystore:")).toBeGreaterThan(yaml.indexOf("keys:"));
  });
});
