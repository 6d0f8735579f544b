import { Duration } from "../../../../constructs/duration";
import { ApproleAuthBackendRole } from "@cdktf/provider-vault/lib/approle-auth-backend-role";
import { ApproleAuthBackendRoleSecretId } from "@cdktf/provider-vault/lib/approle-auth-backend-role-secret-id";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import type { TerraformStack } from "cdktf";
import {
  AppRoleAuth,
  AppRoleIdentity,
  Keystore,
  SecretIdRotation,
  VaultNamespace,
  type AppRoleOptions,
} from "../../../../constructs";
import { only, resources, synth, synthValidated } from "./synth";

const identity = (s: TerraformStack, options: AppRoleOptions = {}) =>
  new AppRoleIdentity(s, "Id", {
    auth: AppRoleAuth.fromExisting(s, "Existing", "approle"),
    roleName: "kes-p",
    policyNames: ["kes-p"],
    ...options,
  });

describe("AppRoleIdentity", () => {
  test("GIVEN the defaults WHEN synthesized THEN the role has the seeds' settings: period 300 s, unlimited uses, only our policy", () => {
    const { json } = synth((s) => identity(s));
    expect(only(json, "vault_approle_auth_backend_role")).toMatchObject({
      backend: "approle",
      role_name: "kes-p",
      token_period: 300,
      token_num_uses: 0,
      secret_id_num_uses: 0,
      secret_id_ttl: 0,
      token_no_default_policy: true,
      token_policies: ["kes-p"],
      token_type: "service",
      bind_secret_id: true,
    });
  });

  test("GIVEN the defaults WHEN synthesized THEN one unlimited secret-id is created before its replacement is destroyed", () => {
    const { json } = synth((s) => identity(s));
    const secretId = only(json, "vault_approle_auth_backend_role_secret_id");
    expect(secretId).toMatchObject({ num_uses: 0, lifecycle: { create_before_destroy: true } });
    expect(secretId.role_name).toMatch(/^\$\{vault_approle_auth_backend_role\.\S+\.role_name\}$/);
    expect(secretId.wrapping_ttl).toBeUndefined();
  });

  test("GIVEN the options WHEN synthesized THEN TTLs and CIDR bindings reach the role", () => {
    const { text } = synth((s) =>
      identity(s, {
        tokenPeriod: Duration.minutes(10),
        tokenMaxTtl: Duration.hours(2),
        tokenBoundCidrs: ["10.0.0.0/8"],
        secretIdBoundCidrs: ["10.1.0.0/16"],
        secretIdTtl: Duration.days(60),
        secretIdRotation: SecretIdRotation.every(Duration.days(30)),
      }),
    );
    expect(text).toHaveResourceWithProperties(ApproleAuthBackendRole, {
      token_period: 600,
      token_max_ttl: 7200,
      token_bound_cidrs: ["10.0.0.0/8"],
      secret_id_bound_cidrs: ["10.1.0.0/16"],
      secret_id_ttl: 5184000,
    });
  });

  test("GIVEN a rotation with a manual trigger WHEN synthesized THEN a time_rotating replaces the secret-id through a bare reference", () => {
    const { json, text } = synth((s) =>
      identity(s, {
        secretIdRotation: SecretIdRotation.every(Duration.hours(12)),
        secretIdRotationTrigger: "7",
      }),
    );
    expect(text).toHaveResourceWithProperties(Rotating, { rotation_hours: 12, triggers: { trigger: "7" } });
    const [rotatingId] = Object.keys(json.resource?.time_rotating ?? {});
    expect(only(json, "vault_approle_auth_backend_role_secret_id").lifecycle).toEqual({
      create_before_destroy: true,
      replace_triggered_by: [`time_rotating.${rotatingId}`],
    });
  });

  test("GIVEN no rotation WHEN synthesized THEN there is no time_rotating", () => {
    const { text } = synth((s) => identity(s));
    expect(text).not.toHaveResource(Rotating);
  });

  test("GIVEN response wrapping WHEN synthesized THEN the secret-id is wrapped and only the wrapping token is exposed", () => {
    let id: AppRoleIdentity | undefined;
    const { text } = synth((s) => {
      id = identity(s, { responseWrappingTtl: Duration.minutes(10) });
    });
    expect(text).toHaveResourceWithProperties(ApproleAuthBackendRoleSecretId, {
      wrapping_ttl: "10m",
      with_wrapped_accessor: true,
    });
    expect(id?.secretId).toBeUndefined();
    expect(id?.secretIdWrappingToken).toBeDefined();
  });

  test("fails when the secret-id has a ttl and no rotation", () => {
    expect(() => synth((s) => identity(s, { secretIdTtl: Duration.hours(1) }))).toThrow(
      "secretIdTtl 1h lets the secret-id expire, and the key server logs in with the same secret-id on every restart: leave it at 0, or add a secretIdRotation shorter than the ttl",
    );
  });

  test("fails when the secret-id expires before it is rotated", () => {
    expect(() =>
      synth((s) =>
        identity(s, {
          secretIdTtl: Duration.seconds(3600),
          secretIdRotation: SecretIdRotation.every(Duration.hours(1)),
        }),
      ),
    ).toThrow(
      "secretIdTtl 3600s is not longer than the secret-id rotation period (3600 s), so the secret-id expires before it is replaced: rotate more often or raise the ttl",
    );
  });

  test("fails when a manual trigger comes without a rotation", () => {
    expect(() => synth((s) => identity(s, { secretIdRotationTrigger: "2" }))).toThrow(
      'secretIdRotationTrigger "2" needs secretIdRotation: add e.g. SecretIdRotation.every(Duration.days(30))',
    );
  });

  test("fails when a CIDR block is malformed", () => {
    expect(() => synth((s) => identity(s, { secretIdBoundCidrs: ["10.0.0.0"] }))).toThrow(
      'secretIdBoundCidrs entry "10.0.0.0" is not a CIDR block: use a block like "10.0.0.0/8" or "192.168.1.10/32"',
    );
  });

  test("fails when the wrapping ttl is zero", () => {
    expect(() => synth((s) => identity(s, { responseWrappingTtl: Duration.seconds(0) }))).toThrow(
      "responseWrappingTtl 0s would wrap the secret-id for no time at all: use e.g. Duration.minutes(5), or drop it",
    );
  });

  test("fails at synth when the role is left without a policy", () => {
    expect(() =>
      synthValidated(
        (s) =>
          new AppRoleIdentity(s, "Id", {
            auth: AppRoleAuth.fromExisting(s, "Existing", "approle"),
            roleName: "r",
          }),
      ),
    ).toThrow(
      "policyNames [] is empty, so the key server's token could do nothing: pass the keystore policy name, or call keystore.grantKeyServerAccess(role)",
    );
  });

  test("GIVEN a role of its own WHEN a keystore grants it access THEN its tokens get the keystore policy, after the given ones", () => {
    const json = synthValidated((s) => {
      const ks = new Keystore(s, "Payments", { prefix: "payments" });
      const role = new AppRoleIdentity(s, "Batch", {
        auth: AppRoleAuth.fromExisting(s, "Existing", "approle"),
        roleName: "batch",
        policyNames: ["batch-reports"],
      });
      ks.grantKeyServerAccess(role);
      ks.grantKeyServerAccess(role);
    });
    const roles = Object.values(resources(json, "vault_approle_auth_backend_role"));
    const batch = roles.find((r) => r.role_name === "batch");
    expect(batch?.token_policies).toEqual([
      "batch-reports",
      expect.stringMatching(/^\$\{vault_policy\.Payments_Policy_[0-9A-F]+\.name\}$/),
    ]);
  });

  test("fails when a keystore grants access to a role in another namespace", () => {
    expect(() =>
      synth((s) => {
        const ks = new Keystore(s, "Payments", { prefix: "payments" });
        const role = new AppRoleIdentity(s, "Batch", {
          auth: AppRoleAuth.fromExisting(
            s,
            "Existing",
            "approle",
            VaultNamespace.fromPath(s, "TeamA", "team-a"),
          ),
          roleName: "batch",
        });
        ks.grantKeyServerAccess(role);
      }),
    ).toThrow(
      'role stack/Batch logs in through namespace "team-a" but the keystore\'s policy "kes-kv-payments" lives in "/": grant a role whose auth mount is in "/"',
    );
  });

  test.each([
    [Duration.days(30), { rotation_days: 30 }],
    [Duration.hours(48), { rotation_hours: 48 }],
    [Duration.minutes(90), { rotation_minutes: 90 }],
    [Duration.seconds(600), { rotation_minutes: 10 }],
    [Duration.parse("12h"), { rotation_hours: 12 }],
  ])(
    "GIVEN a rotation every %o WHEN synthesized THEN time_rotating counts it in the unit given",
    (period, args) => {
      const { json } = synth((s) => identity(s, { secretIdRotation: SecretIdRotation.every(period) }));
      const rotating = only(json, "time_rotating");
      expect(Object.fromEntries(Object.entries(rotating).filter(([k]) => k.startsWith("rotation_")))).toEqual(
        args,
      );
    },
  );

  test("fails when a rotation period is not a whole number", () => {
    expect(() => SecretIdRotation.every(Duration.days(0.5))).toThrow(
      "duration of 0.5 days must be a whole number of at least 0: use a smaller unit for fractions, e.g. Duration.seconds(90)",
    );
  });
});
