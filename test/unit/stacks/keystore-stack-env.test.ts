import { KvVersion, VaultAuthMethod } from "../../../constructs";
import { keystoreStackSettingsFromEnv } from "../../../stacks/keystore-stack-env";

describe("keystoreStackSettingsFromEnv", () => {
  test("GIVEN an empty environment WHEN read THEN one stack vault-keystore with prefix minio and no overrides", () => {
    const s = keystoreStackSettingsFromEnv({});
    expect(s.stackId).toBe("vault-keystore");
    expect(s.props.keystore.prefix).toBe("minio");
    expect([s.props.providerVersions, s.props.vaultVersionOverride, s.props.stateDir]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("GIVEN every variable WHEN read THEN each reaches the stack props", () => {
    const s = keystoreStackSettingsFromEnv({
      KVK_STACK_ID: "tenant-a",
      KVK_KEYSTORE: JSON.stringify({
        prefix: "a",
        kvVersion: 2,
        namespace: "ns-a",
        transit: { key: "kes-a" },
        existingKvMount: true,
        appRole: { rotation: { hours: 6 }, rotationTrigger: "3", secretIdBoundCidrs: ["10.0.0.0/8"] },
      }),
      KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
      KVK_PROVIDER_VERSIONS: '{"vault":"5.9.0"}',
      KVK_STATE_DIR: "/tmp/state",
    });
    expect(s.stackId).toBe("tenant-a");
    expect(s.props.keystore).toMatchObject({
      prefix: "a",
      kvVersion: KvVersion.V2,
      namespace: "ns-a",
      transit: { key: "kes-a" },
    });
    const period = s.props.keystore.login?.appRoleOptions?.secretIdRotation?.period;
    expect([period?.unitLabel(), period?.toSeconds()]).toEqual(["hours", 6 * 3600]);
    expect(s.props.keystore.login?.appRoleOptions?.secretIdRotationTrigger).toBe("3");
    expect(s.props).toMatchObject({
      existingKvMount: true,
      vaultVersionOverride: "1.14.0",
      providerVersions: { vault: "5.9.0" },
    });
    expect(s.props.stateDir).toBe("/tmp/state");
  });

  test("GIVEN Kubernetes login WHEN read THEN the method and the service account reach the keystore props", () => {
    const k = keystoreStackSettingsFromEnv({
      KVK_KEYSTORE:
        '{"prefix":"a","authMethod":"kubernetes","kubernetesAuth":{"serviceAccountNames":["kes"],"serviceAccountNamespaces":["minio"]}}',
    }).props.keystore;
    expect(k.login?.method).toBe(VaultAuthMethod.KUBERNETES);
    expect(k.login?.kubernetesOptions).toMatchObject({
      serviceAccountNames: ["kes"],
      serviceAccountNamespaces: ["minio"],
    });
  });

  const failures: ReadonlyArray<[string, Record<string, string>, string]> = [
    ["KVK_KEYSTORE is not JSON", { KVK_KEYSTORE: "{prefix" }, "KVK_KEYSTORE is not valid JSON"],
    [
      "KVK_KEYSTORE is a list",
      { KVK_KEYSTORE: "[]" },
      "KVK_KEYSTORE must be a mapping (a JSON object), got []",
    ],
    [
      "a field is unknown",
      { KVK_KEYSTORE: '{"prefx":"a"}' },
      "KVK_KEYSTORE.prefx is not a known field: use one of kvEngine, kvVersion, prefix",
    ],
    [
      "a field has the wrong type",
      { KVK_KEYSTORE: '{"prefix":1}' },
      "KVK_KEYSTORE.prefix must be a string, got 1",
    ],
    [
      "kvVersion is 3",
      { KVK_KEYSTORE: '{"prefix":"a","kvVersion":3}' },
      "kvVersion 3 is not supported: use 1 (KvVersion.V1) or 2 (KvVersion.V2)",
    ],
    [
      "the rotation names two units",
      { KVK_KEYSTORE: '{"prefix":"a","appRole":{"rotation":{"days":1,"hours":2}}}' },
      'KVK_KEYSTORE.appRole.rotation must have exactly one of days, hours, minutes as a number, e.g. {"days": 30}',
    ],
    [
      "the rotation is zero days",
      { KVK_KEYSTORE: '{"prefix":"a","appRole":{"rotation":{"days":0}}}' },
      "KVK_KEYSTORE.appRole.rotation.days: secretIdRotation of 0 days is shorter than a minute, the shortest period time_rotating takes: use e.g. SecretIdRotation.every(Duration.days(30))",
    ],
    [
      "the rotation is a fraction of an hour",
      { KVK_KEYSTORE: '{"prefix":"a","appRole":{"rotation":{"hours":1.5}}}' },
      "KVK_KEYSTORE.appRole.rotation.hours: duration of 1.5 hours must be a whole number of at least 0",
    ],
    [
      "a provider version is a range",
      { KVK_PROVIDER_VERSIONS: '{"vault":"~> 5.0"}' },
      'KVK_PROVIDER_VERSIONS.vault "~> 5.0" must be an exact version like "5.9.0"',
    ],
    [
      "the state dir is relative",
      { KVK_STATE_DIR: "state" },
      'KVK_STATE_DIR "state" must be an absolute folder, e.g. "/var/lib/kvk"',
    ],
    [
      "the stack id has a slash",
      { KVK_STACK_ID: "a/b" },
      'KVK_STACK_ID "a/b" must match [A-Za-z0-9][A-Za-z0-9_-]*: use an id like "tenant-payments"',
    ],
  ];
  test.each(failures)("fails when %s", (_what, env, message) => {
    expect(() => keystoreStackSettingsFromEnv(env)).toThrow(message);
  });
});
