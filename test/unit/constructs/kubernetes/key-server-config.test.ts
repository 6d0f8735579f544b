import { parse } from "yaml";
import { parseConfig } from "../../../../runtime/src/config/parse";
import {
  keyServerConfig,
  renderKeyServerConfig,
  type KeyServerConfigInput,
} from "../../../../constructs/kubernetes/key-server-config";
import { minioKeyPolicy } from "../../../../constructs/kubernetes/minio-key-policy";
import { KeystoreSpec } from "../../../../constructs/vault/keystore-spec";
import { KvVersion } from "../../../../constructs/vault/kv-version";
import { VaultAuthMethod } from "../../../../constructs/vault/vault-auth-method";

const input = (spec: KeystoreSpec, over: Partial<KeyServerConfigInput> = {}): KeyServerConfigInput => ({
  keystore: spec.keystoreConfig(),
  vaultEndpoint: "https://vault.vault.svc:8200",
  clients: [
    {
      policyName: "minio",
      certFile: "/etc/keyserver/clients/minio.crt",
      patterns: minioKeyPolicy("payments-"),
    },
  ],
  ...over,
});
const approle = new KeystoreSpec({ prefix: "payments" });

describe("keyServerConfig", () => {
  test("GIVEN an AppRole spec WHEN rendered THEN role-id and secret-id are ${ENV} references, never values", () => {
    const c = keyServerConfig(input(approle));
    expect(c.keystore.vault?.approle).toEqual({
      engine: "approle",
      id: "${KEYSERVER_VAULT_ROLE_ID}",
      secret: "${KEYSERVER_VAULT_SECRET_ID}",
    });
  });

  test("GIVEN MinIO as client WHEN rendered THEN its identity is its certificate file, hashed by the server", () => {
    const c = keyServerConfig(input(approle));
    expect(c.policy?.minio.identities).toEqual([{ cert: "/etc/keyserver/clients/minio.crt" }]);
  });

  test("GIVEN any spec WHEN rendered THEN /v1/ready needs no identity, so the kubelet's probes pass", () => {
    expect(keyServerConfig(input(approle)).api).toEqual({ "/v1/ready": { skip_auth: true } });
  });

  test("GIVEN no admin WHEN rendered THEN admin access is disabled", () => {
    expect(keyServerConfig(input(approle)).admin.identity).toBe("disabled");
  });

  test("GIVEN a v2 spec in a Vault namespace WHEN rendered THEN engine version, namespace and prefix come from the spec", () => {
    const spec = new KeystoreSpec({ prefix: "keys", kvVersion: KvVersion.V2, namespace: "tenants/payments" });
    const v = keyServerConfig(input(spec)).keystore.vault;
    expect(v).toMatchObject({ engine: "kv", version: "v2", namespace: "tenants/payments", prefix: "keys" });
  });

  test("GIVEN a Kubernetes-auth spec WHEN rendered THEN the JWT is the service account token file", () => {
    const spec = new KeystoreSpec({ prefix: "payments", authMethod: VaultAuthMethod.KUBERNETES });
    const v = keyServerConfig(input(spec)).keystore.vault;
    expect(v?.kubernetes).toMatchObject({ jwt: "/var/run/secrets/vault/token" });
    expect(v?.approle).toBeUndefined();
  });

  test("GIVEN the rendered YAML WHEN the runtime's own parser reads it THEN it accepts it with the env references set", () => {
    const yaml = renderKeyServerConfig(input(approle));
    const parsed = parseConfig(yaml, {
      KEYSERVER_ADDRESS: "0.0.0.0:7373",
      KEYSERVER_VAULT_ROLE_ID: "r",
      KEYSERVER_VAULT_SECRET_ID: "s",
    });
    expect(parsed.address).toBe("0.0.0.0:7373");
    expect(parsed.keystore.kind).toBe("vault");
    expect(parsed.policies.minio.identities).toEqual([
      { kind: "cert", path: "/etc/keyserver/clients/minio.crt" },
    ]);
  });

  test("GIVEN the rendered YAML WHEN read back THEN it is the same data", () => {
    expect(parse(renderKeyServerConfig(input(approle)))).toEqual(
      JSON.parse(JSON.stringify(keyServerConfig(input(approle)))),
    );
  });

  test("fails when two clients share a policy name", () => {
    const client = { policyName: "minio", certFile: "/a.crt", patterns: minioKeyPolicy("a-") };
    expect(() => keyServerConfig(input(approle, { clients: [client, client] }))).toThrow(
      'clients policyName "minio" is used twice',
    );
  });

  test("fails when a policy name holds a slash", () => {
    const client = { policyName: "mi/nio", certFile: "/a.crt", patterns: minioKeyPolicy("a-") };
    expect(() => keyServerConfig(input(approle, { clients: [client] }))).toThrow(
      'clients policyName "mi/nio" must be 1 to 80 characters',
    );
  });
});
