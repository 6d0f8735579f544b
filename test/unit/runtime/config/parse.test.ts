import { parseConfig, parseLogLevel } from "../../../../runtime/src/config/parse";
import { VECTOR_API_KEY } from "../../../vectors";

const ADMIN = "3ecfcdf38fcbe141ae26a1030f81e96b753365a46760ae6b578698a97c59fd22";
const ID = "a".repeat(64);

const base = (extra = "", keystore = "keystore:\n  fs:\n    path: /var/kes/keys\n") =>
  `admin:\n  identity: ${ADMIN}\ntls:\n  key: /etc/kes/server.key\n  cert: /etc/kes/server.crt\n${extra}${keystore}`;

describe("parseConfig", () => {
  test("GIVEN a minimal file WHEN parsed THEN KES' defaults apply", () => {
    const c = parseConfig(base(), {});
    expect(c.address).toBe("0.0.0.0:7373");
    expect(c.admin).toEqual({ kind: "hash", value: ADMIN });
    expect(c.tls).toEqual({
      key: "/etc/kes/server.key",
      cert: "/etc/kes/server.crt",
      auth: "off",
      password: undefined,
      ca: undefined,
    });
    expect(c.cache).toEqual({ anyMs: 300_000, unusedMs: 30_000, offlineMs: 0 });
    expect(c.log).toEqual({ errorLevel: 0, auditLevel: 0 });
    expect(c.keystore).toEqual({ kind: "fs", path: "/var/kes/keys" });
    expect(c.keys).toEqual([]);
  });

  test("GIVEN only cache.expiry.any WHEN parsed THEN unused keeps its 30s default (not KES' bug of any=30s)", () => {
    const c = parseConfig(base("cache:\n  expiry:\n    any: 10m\n"), {});
    expect(c.cache).toEqual({ anyMs: 600_000, unusedMs: 30_000, offlineMs: 0 });
  });

  test("GIVEN Go durations WHEN parsed THEN they become milliseconds", () => {
    const c = parseConfig(
      base("cache:\n  expiry:\n    any: 1h30m\n    unused: 1.5s\n    offline: 500ms\n"),
      {},
    );
    expect(c.cache).toEqual({ anyMs: 5_400_000, unusedMs: 1500, offlineMs: 500 });
  });

  test("GIVEN policies with hex, certificate and API-key identities WHEN parsed THEN each source is kept", () => {
    const c = parseConfig(
      base(
        `policy:\n  minio:\n    allow: [/v1/key/generate/*, /v1/key/decrypt/*]\n    deny: [/v1/key/delete/*]\n    identities:\n      - ${ID}\n      - cert: /etc/kes/minio.crt\n      - api_key: \${MINIO_KEY}\n`,
      ),
      { MINIO_KEY: VECTOR_API_KEY },
    );
    expect(c.policies.minio).toEqual({
      allow: ["/v1/key/generate/*", "/v1/key/decrypt/*"],
      deny: ["/v1/key/delete/*"],
      identities: [
        { kind: "hash", value: ID },
        { kind: "cert", path: "/etc/kes/minio.crt" },
        { kind: "apiKey", key: VECTOR_API_KEY },
      ],
    });
  });

  test("GIVEN ${ENV} references WHEN parsed THEN whole values are substituted and spaces in braces trimmed", () => {
    const c = parseConfig(base("address: ${ ADDR }\ncache:\n  expiry:\n    any: ${TTL}\n"), {
      ADDR: "127.0.0.1:7000",
      TTL: "2m",
    });
    expect(c.address).toBe("127.0.0.1:7000");
    expect(c.cache.anyMs).toBe(120_000);
  });

  test("GIVEN a partial reference WHEN parsed THEN it is left as literal text (no interpolation)", () => {
    const c = parseConfig(base("address: host-${PORT}:7373\n"), { PORT: "1" });
    expect(c.address).toBe("host-${PORT}:7373");
  });

  test("GIVEN allow patterns that look like references WHEN parsed THEN they are not substituted", () => {
    const c = parseConfig(base(`policy:\n  p:\n    allow: ["\${X}"]\n`), {});
    expect(c.policies.p.allow).toEqual(["${X}"]);
  });

  test("GIVEN a vault keystore with AppRole WHEN parsed THEN it maps to the keystore options", () => {
    const c = parseConfig(
      base(
        "",
        "keystore:\n  vault:\n    endpoint: https://vault:8200\n    engine: kv\n    version: v2\n    namespace: ns1\n    prefix: tenant-a\n    approle:\n      id: role-1\n      secret: ${SECRET}\n    transit:\n      key: kes\n    tls:\n      ca: /etc/vault/ca.pem\n    status:\n      ping: 10s\n",
      ),
      { SECRET: "s.secret" },
    );
    expect(c.keystore).toEqual({
      kind: "vault",
      vault: {
        endpoint: "https://vault:8200",
        engine: "kv",
        version: "v2",
        namespace: "ns1",
        prefix: "tenant-a",
        approle: { engine: undefined, namespace: undefined, id: "role-1", secret: "s.secret" },
        kubernetes: undefined,
        transit: { engine: undefined, key: "kes" },
        tls: { key: undefined, cert: undefined, ca: "/etc/vault/ca.pem" },
        statusPingMs: 10_000,
      },
    });
  });

  test("GIVEN an api section WHEN parsed THEN skip_auth and timeouts are read per route path", () => {
    const c = parseConfig(base("api:\n  /v1/ready:\n    skip_auth: true\n    timeout: 3s\n"), {});
    expect(c.api["/v1/ready"]).toEqual({ skipAuth: true, timeoutMs: 3000 });
  });

  test("GIVEN predefined keys WHEN parsed THEN their names are listed in order", () => {
    expect(parseConfig(base("keys:\n  - name: minio-default\n  - name: backup\n"), {}).keys).toEqual([
      "minio-default",
      "backup",
    ]);
  });

  test("fails when a referenced environment variable is not set", () => {
    expect(() => parseConfig(base("", "keystore:\n  fs:\n    path: ${KEY_DIR}\n"), {})).toThrow(
      'keystore.fs.path: referenced environment variable "KEY_DIR" is not set: set KEY_DIR or write the value into the file',
    );
  });

  test("fails when admin.identity is missing", () => {
    expect(() => parseConfig("tls:\n  key: k\n  cert: c\nkeystore:\n  fs:\n    path: /k\n", {})).toThrow(
      "admin.identity is required: give the admin's identity (kes identity of <cert>), or 'disabled'",
    );
  });

  test("fails when tls.cert is missing", () => {
    expect(() =>
      parseConfig(`admin:\n  identity: ${ADMIN}\ntls:\n  key: k\nkeystore:\n  fs:\n    path: /k\n`, {}),
    ).toThrow("tls.cert is required: name the server's PEM certificate file");
  });

  test("fails when tls.key is missing", () => {
    expect(() =>
      parseConfig(`admin:\n  identity: ${ADMIN}\ntls:\n  cert: c\nkeystore:\n  fs:\n    path: /k\n`, {}),
    ).toThrow("tls.key is required: name the server's PEM private key file");
  });

  test("fails when tls.auth is neither on nor off", () => {
    expect(() => parseConfig(base().replace("tls:\n", "tls:\n  auth: maybe\n"), {})).toThrow(
      'tls.auth "maybe" must be on or off: off accepts any client certificate (API keys), on verifies it against tls.ca',
    );
  });

  test("fails when tls.auth is on without tls.ca", () => {
    expect(() => parseConfig(base().replace("tls:\n", "tls:\n  auth: on\n"), {})).toThrow(
      "tls.ca is required when tls.auth is on: name the CA file that signs client certificates",
    );
  });

  test("fails when the version is not v1", () => {
    expect(() => parseConfig(`version: v2\n${base()}`, {})).toThrow('version "v2" is not supported: use v1');
  });

  test("fails when no keystore is given", () => {
    expect(() => parseConfig(base("", ""), {})).toThrow(
      "keystore is required: set keystore.fs.path or keystore.vault",
    );
  });

  test("fails when the keystore section is empty", () => {
    expect(() => parseConfig(base("", "keystore: {}\n"), {})).toThrow(
      "keystore: no keystore specified: set keystore.fs.path or keystore.vault",
    );
  });

  test("fails when two keystores are given", () => {
    expect(() =>
      parseConfig(base("", "keystore:\n  fs:\n    path: /k\n  vault:\n    endpoint: http://v\n"), {}),
    ).toThrow("keystore: more than one keystore specified (fs, vault): keep exactly one");
  });

  test("fails when a keystore kind is not supported", () => {
    expect(() => parseConfig(base("", "keystore:\n  aws:\n    secretsmanager: {}\n"), {})).toThrow(
      "keystore.aws is not supported by this server: use keystore.fs or keystore.vault",
    );
  });

  test("fails when keystore.fs.path is missing", () => {
    expect(() => parseConfig(base("", "keystore:\n  fs: {}\n"), {})).toThrow(
      "keystore.fs.path is required: name the directory that holds the keys",
    );
  });

  test("fails when keystore.vault.endpoint is missing", () => {
    expect(() =>
      parseConfig(base("", "keystore:\n  vault:\n    approle:\n      id: a\n      secret: b\n"), {}),
    ).toThrow("keystore.vault.endpoint is required: set the Vault address, e.g. https://vault:8200");
  });

  test("fails when vault has no authentication method", () => {
    expect(() => parseConfig(base("", "keystore:\n  vault:\n    endpoint: http://v\n"), {})).toThrow(
      "keystore.vault: no authentication method: set keystore.vault.approle or keystore.vault.kubernetes",
    );
  });

  test("fails when vault has both approle and kubernetes", () => {
    expect(() =>
      parseConfig(
        base(
          "",
          "keystore:\n  vault:\n    endpoint: http://v\n    approle: {id: a, secret: b}\n    kubernetes: {role: r, jwt: j}\n",
        ),
        {},
      ),
    ).toThrow("keystore.vault: both approle and kubernetes are set: keep exactly one authentication method");
  });

  test("fails when the approle secret is missing", () => {
    expect(() =>
      parseConfig(base("", "keystore:\n  vault:\n    endpoint: http://v\n    approle: {id: a}\n"), {}),
    ).toThrow(
      "keystore.vault.approle.secret is required: set the AppRole secret-id, e.g. ${VAULT_SECRET_ID}",
    );
  });

  test("fails when the approle id is missing", () => {
    expect(() =>
      parseConfig(base("", "keystore:\n  vault:\n    endpoint: http://v\n    approle: {secret: b}\n"), {}),
    ).toThrow("keystore.vault.approle.id is required: set the AppRole role-id");
  });

  test("fails when the kubernetes jwt is missing", () => {
    expect(() =>
      parseConfig(base("", "keystore:\n  vault:\n    endpoint: http://v\n    kubernetes: {role: r}\n"), {}),
    ).toThrow("keystore.vault.kubernetes.jwt is required: set a JWT or the service-account token file path");
  });

  test("fails when the vault K/V version is unknown", () => {
    expect(() =>
      parseConfig(
        base(
          "",
          "keystore:\n  vault:\n    endpoint: http://v\n    version: v3\n    approle: {id: a, secret: b}\n",
        ),
        {},
      ),
    ).toThrow('keystore.vault.version "v3" must be v1 or v2 (the K/V engine version)');
  });

  test("fails when the transit key is missing", () => {
    expect(() =>
      parseConfig(
        base(
          "",
          "keystore:\n  vault:\n    endpoint: http://v\n    approle: {id: a, secret: b}\n    transit: {engine: t}\n",
        ),
        {},
      ),
    ).toThrow("keystore.vault.transit.key is required: name the transit key");
  });

  test("fails when a vault client certificate has no key", () => {
    expect(() =>
      parseConfig(
        base(
          "",
          "keystore:\n  vault:\n    endpoint: http://v\n    approle: {id: a, secret: b}\n    tls: {cert: /c}\n",
        ),
        {},
      ),
    ).toThrow(
      "keystore.vault.tls.key is required when keystore.vault.tls.cert is set: give the client private key",
    );
  });

  test("fails when a duration is malformed", () => {
    expect(() => parseConfig(base("cache:\n  expiry:\n    any: 5x\n"), {})).toThrow(
      'cache.expiry.any "5x" is not a duration: use Go syntax such as 30s, 5m or 1h30m',
    );
  });

  test("fails when a duration is negative", () => {
    expect(() => parseConfig(base("cache:\n  expiry:\n    unused: -1s\n"), {})).toThrow(
      'cache.expiry.unused "-1s" must not be negative: use 0 or a positive duration such as 30s',
    );
  });

  test("fails when an api timeout is negative", () => {
    expect(() => parseConfig(base("api:\n  /v1/status:\n    timeout: -5s\n"), {})).toThrow(
      'api./v1/status.timeout "-5s" must not be negative: use 0 or a positive duration such as 30s',
    );
  });

  test("fails when a policy identity is the admin", () => {
    expect(() => parseConfig(base(`policy:\n  p:\n    identities: [${ADMIN}]\n`), {})).toThrow(
      `policy.p.identities: identity '${ADMIN}' is already admin: remove it from the policy or change admin.identity`,
    );
  });

  test("fails when a policy name is invalid", () => {
    expect(() => parseConfig(base("policy:\n  bad.name:\n    allow: []\n"), {})).toThrow(
      "policy.bad.name: policy name 'bad.name' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]",
    );
  });

  test("fails when an identity object has an unknown field", () => {
    expect(() => parseConfig(base("policy:\n  p:\n    identities:\n      - file: /x\n"), {})).toThrow(
      'policy.p.identities[0] {"file":"/x"} must be a hex identity, { cert: <file> } or { api_key: <key> }',
    );
  });

  test("fails when an api_key identity is not a kes:v1 key", () => {
    expect(() =>
      parseConfig(base("policy:\n  p:\n    identities:\n      - api_key: ${K}\n"), { K: "nope" }),
    ).toThrow("policy.p.identities[0].api_key must start with \"kes:v1:\": create one with 'identity new'");
  });

  test("fails when a predefined key is listed twice", () => {
    expect(() => parseConfig(base("keys:\n  - name: k1\n  - name: k1\n"), {})).toThrow(
      "keys[1].name: key 'k1' is defined multiple times: list each key once",
    );
  });

  test("fails when a predefined key name is invalid", () => {
    expect(() => parseConfig(base("keys:\n  - name: ../k\n"), {})).toThrow(
      "keys[0].name '../k' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]",
    );
  });

  test("fails when the log level is unknown", () => {
    expect(() => parseConfig(base("log:\n  error: loud\n"), {})).toThrow(
      'log.error "loud" is not a log level: use on, off, DEBUG, INFO, WARN or ERROR',
    );
  });

  test("fails when the text is not a mapping", () => {
    expect(() => parseConfig("- a\n- b\n", {})).toThrow(
      "config: the file must be a YAML mapping with admin, tls and keystore",
    );
  });

  test("fails when the YAML is malformed", () => {
    expect(() => parseConfig("admin: [unclosed\n", {})).toThrow(/^config: invalid YAML: /);
  });
});

describe("parseLogLevel", () => {
  test.each([
    ["on", 0],
    ["off", 9],
    ["DEBUG", -4],
    ["warn", 4],
    ["ERROR", 8],
    ["INFO+2", 2],
    ["-3", -3],
  ])("GIVEN %j WHEN parsed THEN the level is %d", (text, level) => {
    expect(parseLogLevel(text, "log.error")).toBe(level);
  });
});
