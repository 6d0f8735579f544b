import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { Construct, type IConstruct } from "constructs";
import { importAuthMount } from "./auth-mount-import";
import { checkMount, RESERVED_AUTH_MOUNTS } from "./keystore-spec-validation";
import type { IVaultNamespace } from "./vault-namespace";

/**
 * An AppRole auth mount that key server roles are created in. `authPath` is the attribute for resource
 * arguments (a token when the mount is created here, so Terraform creates the mount first); `authPathLiteral`
 * is the same path as written, known at synth.
 */
export interface IAppRoleAuth extends IConstruct {
  /** Mount path under `auth/`, e.g. "approle": the mount's `path` attribute, a token when created here. */
  readonly authPath: string;
  /** The mount path as written ("approle"), never a token: for configs and checks. */
  readonly authPathLiteral: string;
  /** Namespace of the mount; undefined for the root namespace. */
  readonly authNamespace?: IVaultNamespace;
}

export interface AppRoleAuthProps {
  /**
   * Mount path under `auth/`.
   * @default "approle"
   */
  readonly path?: string;
  /**
   * Namespace to mount in.
   * @default - the root namespace
   */
  readonly namespace?: IVaultNamespace;
}

/**
 * Enables the AppRole auth method. Tenants may share one mount: create it once and pass it to each keystore,
 * or pass {@link AppRoleAuth.fromExisting} for a mount made elsewhere.
 * @see https://openbao.org/docs/auth/approle/
 */
export class AppRoleAuth extends Construct implements IAppRoleAuth {
  /**
   * An existing AppRole mount, as a construct `id` under `scope` that creates nothing.
   * @throws Error when `path` is not a valid auth mount path.
   */
  public static fromExisting(
    scope: Construct,
    id: string,
    path: string,
    namespace?: IVaultNamespace,
  ): IAppRoleAuth {
    return importAuthMount(scope, id, path, namespace, '"approle"');
  }

  /** The mount's `path` (a token). */
  public readonly authPath: string;
  /** The mount path as written ("approle"), never a token. */
  public readonly authPathLiteral: string;
  /** Namespace of the mount; undefined for the root namespace. */
  public readonly authNamespace?: IVaultNamespace;
  /** The L1 auth backend (escape hatch). */
  public readonly backend: AuthBackend;

  /** @throws Error when `path` is not a valid auth mount path ("token" is reserved). */
  constructor(scope: Construct, id: string, props: AppRoleAuthProps = {}) {
    super(scope, id);
    const path = props.path ?? "approle";
    checkMount("path", path, '"approle"', RESERVED_AUTH_MOUNTS, "auth");
    const namespace = props.namespace?.namespacePath;
    this.backend = new AuthBackend(this, "Resource", {
      type: "approle",
      path,
      description: "AppRole logins of KES-compatible key servers",
      ...(namespace === undefined ? {} : { namespace }),
    });
    this.authPath = this.backend.path;
    this.authPathLiteral = path;
    this.authNamespace = props.namespace;
  }
}
