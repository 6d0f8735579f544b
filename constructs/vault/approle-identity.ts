import { ApproleAuthBackendRole } from "@cdktf/provider-vault/lib/approle-auth-backend-role";
import { ApproleAuthBackendRoleSecretId } from "@cdktf/provider-vault/lib/approle-auth-backend-role-secret-id";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import { Construct } from "constructs";
import { Duration } from "../duration";
import { LoginPolicyNames } from "../private/login-policy-names";
import { isUnresolved, show } from "../private/vault-path";
import type { IAppRoleAuth } from "./approle-auth";
import { checkName } from "./keystore-spec-validation";
import { timeRotatingPeriod, type SecretIdRotation } from "./secret-id-rotation";
import type { IVaultLoginRole } from "./vault-login-role";
import type { IVaultNamespace } from "./vault-namespace";

/** Options of the AppRole role and its secret-id; the defaults are the ones KES needs. */
export interface AppRoleOptions {
  /**
   * Period of the login token: the token never expires while it is renewed within the period.
   * @default Duration.seconds(300)
   */
  readonly tokenPeriod?: Duration;
  /**
   * Initial TTL of non-periodic tokens (only when `tokenPeriod` is 0).
   * @default - Vault's default
   */
  readonly tokenTtl?: Duration;
  /**
   * Maximum token lifetime.
   * @default - no maximum beyond Vault's
   */
  readonly tokenMaxTtl?: Duration;
  /**
   * CIDR blocks allowed to use the issued tokens.
   * @default - any address
   */
  readonly tokenBoundCidrs?: string[];
  /**
   * CIDR blocks allowed to log in with a secret-id.
   * @default - any address
   */
  readonly secretIdBoundCidrs?: string[];
  /**
   * Lifetime of a secret-id. The key server logs in again with the same secret-id on every restart and whenever
   * a renewal fails, so a secret-id that expires must be rotated before it does.
   * @default - never expires
   */
  readonly secretIdTtl?: Duration;
  /**
   * Rotation trigger: a `time_rotating` resource that replaces the secret-id (new one first) when it elapses.
   * @default - no scheduled rotation
   */
  readonly secretIdRotation?: SecretIdRotation;
  /**
   * Manual rotation: changing this value replaces the secret-id at the next apply. Needs `secretIdRotation`.
   * @default - none
   */
  readonly secretIdRotationTrigger?: string;
  /**
   * Response-wrap the secret-id for this long (e.g. `Duration.seconds(60)`): Terraform then holds a single-use
   * wrapping token instead of the secret-id, to be unwrapped by whoever delivers it.
   * @default - not wrapped
   */
  readonly responseWrappingTtl?: Duration;
}

export interface AppRoleIdentityProps extends AppRoleOptions {
  /** The AppRole mount the role is created in. */
  readonly auth: IAppRoleAuth;
  /** Role name (lowercase). */
  readonly roleName: string;
  /**
   * Policies of the issued tokens; the `default` policy is never added. More can be added later with
   * `addPolicy` (e.g. by `keystore.grantKeyServerAccess(role)`); at least one must be there at synth.
   * @default - none yet
   */
  readonly policyNames?: string[];
}

const CIDR = /^([0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}|[0-9A-Fa-f:]+\/[0-9]{1,3})$/;

function checkCidrs(field: string, values: string[] | undefined): void {
  for (const v of values ?? []) {
    if (!isUnresolved(v) && !CIDR.test(v)) {
      throw new Error(
        `${field} entry ${show(v)} is not a CIDR block: use a block like "10.0.0.0/8" or "192.168.1.10/32"`,
      );
    }
  }
}

/**
 * An AppRole role for the key server with its role-id and one secret-id: periodic token (300 s), unlimited
 * token and secret-id uses, no default policy; optionally a rotation trigger and response wrapping.
 * The secret-id (or its wrapping token) is in Terraform state: protect the backend.
 * @see ../../docs/vault.md#constructs (AppRole defaults and secret-id rotation)
 */
export class AppRoleIdentity extends Construct implements IVaultLoginRole {
  /** Role name (a token: depends on the role's creation). */
  public readonly roleName: string;
  /** The role-id (not secret on its own). */
  public readonly roleId: string;
  /** The secret-id; a sensitive token. Undefined when response wrapping is on. */
  public readonly secretId?: string;
  /** The wrapping token of the secret-id; a sensitive token. Undefined unless response wrapping is on. */
  public readonly secretIdWrappingToken?: string;
  /** Accessor of the secret-id (of the wrapping token when wrapped); not secret, fine for outputs. */
  public readonly secretIdAccessor: string;
  /** Path of the AppRole mount: the mount's `authPath` attribute (a token when the mount is created here). */
  public readonly authPath: string;
  /** Namespace of the AppRole mount (`auth.authNamespace`); undefined for the root namespace. */
  public readonly loginNamespace?: IVaultNamespace;
  /** The L1 role (escape hatch). */
  public readonly role: ApproleAuthBackendRole;
  /** The L1 secret-id. */
  public readonly secretIdResource: ApproleAuthBackendRoleSecretId;
  /** The rotation trigger, when `secretIdRotation` is set. */
  public readonly rotation?: Rotating;
  private readonly policyNames: LoginPolicyNames;

  /**
   * @throws Error when a name, CIDR block, duration or number of seconds is malformed, when the secret-id would
   *   expire before it is rotated (or has a TTL and no rotation), or when a manual trigger comes without a
   *   rotation. A role left without any policy fails the synth (validation).
   */
  constructor(scope: Construct, id: string, props: AppRoleIdentityProps) {
    super(scope, id);
    if (!isUnresolved(props.roleName)) checkName("roleName", props.roleName);
    const period = (props.tokenPeriod ?? Duration.seconds(300)).toSeconds();
    checkCidrs("tokenBoundCidrs", props.tokenBoundCidrs);
    checkCidrs("secretIdBoundCidrs", props.secretIdBoundCidrs);
    this.policyNames = new LoginPolicyNames(this, props.policyNames);
    const secretIdTtl = props.secretIdTtl?.toSeconds() ?? 0;
    if (secretIdTtl > 0 && props.secretIdRotation === undefined) {
      throw new Error(
        `secretIdTtl ${props.secretIdTtl?.toGoString()} lets the secret-id expire, and the key server logs in with the same secret-id on every restart: leave it at 0, or add a secretIdRotation shorter than the ttl`,
      );
    }
    const rotationSeconds = props.secretIdRotation?.period.toSeconds();
    if (secretIdTtl > 0 && rotationSeconds !== undefined && rotationSeconds >= secretIdTtl) {
      throw new Error(
        `secretIdTtl ${props.secretIdTtl?.toGoString()} is not longer than the secret-id rotation period (${rotationSeconds} s), so the secret-id expires before it is replaced: rotate more often or raise the ttl`,
      );
    }
    if (props.secretIdRotationTrigger !== undefined && props.secretIdRotation === undefined) {
      throw new Error(
        `secretIdRotationTrigger ${show(props.secretIdRotationTrigger)} needs secretIdRotation: add e.g. SecretIdRotation.every(Duration.days(30))`,
      );
    }
    if (props.responseWrappingTtl !== undefined && props.responseWrappingTtl.toSeconds() === 0) {
      throw new Error(
        `responseWrappingTtl ${props.responseWrappingTtl.toGoString()} would wrap the secret-id for no time at all: use e.g. Duration.minutes(5), or drop it`,
      );
    }

    const namespace = props.auth.authNamespace?.namespacePath;
    const ns = namespace === undefined ? {} : { namespace };
    this.role = new ApproleAuthBackendRole(this, "Role", {
      backend: props.auth.authPath,
      roleName: props.roleName,
      tokenPolicies: this.policyNames.tokenPolicies,
      tokenNoDefaultPolicy: true,
      tokenType: "service",
      tokenPeriod: period,
      tokenNumUses: 0,
      secretIdNumUses: 0,
      secretIdTtl,
      bindSecretId: true,
      ...(props.tokenTtl === undefined ? {} : { tokenTtl: props.tokenTtl.toSeconds() }),
      ...(props.tokenMaxTtl === undefined ? {} : { tokenMaxTtl: props.tokenMaxTtl.toSeconds() }),
      ...(props.tokenBoundCidrs === undefined ? {} : { tokenBoundCidrs: props.tokenBoundCidrs }),
      ...(props.secretIdBoundCidrs === undefined ? {} : { secretIdBoundCidrs: props.secretIdBoundCidrs }),
      ...ns,
    });

    if (props.secretIdRotation) {
      const r = timeRotatingPeriod(props.secretIdRotation.period);
      this.rotation = new Rotating(this, "SecretIdRotation", {
        ...(r.unit === "days"
          ? { rotationDays: r.amount }
          : r.unit === "hours"
            ? { rotationHours: r.amount }
            : { rotationMinutes: r.amount }),
        ...(props.secretIdRotationTrigger === undefined
          ? {}
          : { triggers: { trigger: props.secretIdRotationTrigger } }),
      });
    }

    const wrapped = props.responseWrappingTtl !== undefined;
    this.secretIdResource = new ApproleAuthBackendRoleSecretId(this, "SecretId", {
      backend: props.auth.authPath,
      roleName: this.role.roleName,
      numUses: 0,
      ...(wrapped ? { wrappingTtl: props.responseWrappingTtl?.toGoString(), withWrappedAccessor: true } : {}),
      ...ns,
      lifecycle: { createBeforeDestroy: true },
    });
    if (this.rotation) {
      // cdktf 0.21 renders `replaceTriggeredBy: [resource]` as "${...}", which Terraform's JSON syntax refuses
      // in lifecycle blocks; it wants a bare reference.
      this.secretIdResource.addOverride("lifecycle.replace_triggered_by", [
        `${this.rotation.terraformResourceType}.${this.rotation.friendlyUniqueId}`,
      ]);
    }

    this.roleName = this.role.roleName;
    this.roleId = this.role.roleId;
    this.authPath = props.auth.authPath;
    this.loginNamespace = props.auth.authNamespace;
    this.secretId = wrapped ? undefined : this.secretIdResource.secretId;
    this.secretIdWrappingToken = wrapped ? this.secretIdResource.wrappingToken : undefined;
    this.secretIdAccessor = wrapped ? this.secretIdResource.wrappingAccessor : this.secretIdResource.accessor;
  }

  public addPolicy(policyName: string): void {
    this.policyNames.add(policyName);
  }
}
