import { KvSecretBackendV2 } from "@cdktf/provider-vault/lib/kv-secret-backend-v2";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Construct, type IConstruct } from "constructs";
import { checkMount, RESERVED_MOUNTS, resolveKeystoreSpec } from "./keystore-spec-validation";
import { KvVersion } from "./kv-version";
import type { IVaultNamespace } from "./vault-namespace";

/**
 * A K/V secrets engine mount holding keystores. `kvMountPath` is the attribute for resource arguments (a token
 * when the mount is created here, so Terraform creates the mount first); `kvMountPathLiteral` is the same path
 * as written, known at synth.
 */
export interface IKvMount extends IConstruct {
  /** Mount path, e.g. "kv": the mount's `path` attribute, a token when the mount is created here. */
  readonly kvMountPath: string;
  /** The mount path as written ("kv"), never a token: for policies, configs, checks. */
  readonly kvMountPathLiteral: string;
  /** Engine version of the mount. */
  readonly kvVersion: KvVersion;
  /** Namespace of the mount; undefined for the root namespace. */
  readonly kvNamespace?: IVaultNamespace;
}

export interface KvMountProps {
  /**
   * Mount path.
   * @default "kv"
   */
  readonly path?: string;
  /**
   * Engine version.
   * @default KvVersion.V1
   */
  readonly version?: KvVersion;
  /**
   * Namespace to mount in.
   * @default - the root namespace
   */
  readonly namespace?: IVaultNamespace;
  /**
   * `max_versions` of a v2 mount: 0 (Vault's default of 10) or 10 or more.
   * @default 0
   */
  readonly maxVersions?: number;
  /**
   * Description of the mount.
   * @default "K/V keystore of the KES-compatible key server"
   */
  readonly description?: string;
}

/**
 * Mounts a K/V engine (v1 or v2) for keystores. A v2 mount also gets its engine config with
 * `delete_version_after = 0`, so no key version is ever pruned. To use a mount that already exists, pass
 * {@link KvMount.fromExisting} where an {@link IKvMount} is expected.
 * @see https://openbao.org/docs/secrets/kv/
 */
export class KvMount extends Construct implements IKvMount {
  /**
   * An existing K/V mount, as a construct `id` under `scope` that creates nothing; its settings are not checked
   * (a v2 mount must not prune).
   * @throws Error when `path` is not a valid mount path.
   */
  public static fromExisting(
    scope: Construct,
    id: string,
    path: string,
    version: KvVersion,
    namespace?: IVaultNamespace,
  ): IKvMount {
    checkMount("kvEngine", path, '"kv"', RESERVED_MOUNTS, "vault");
    class Import extends Construct implements IKvMount {
      public readonly kvMountPath = path;
      public readonly kvMountPathLiteral = path;
      public readonly kvVersion = version;
      public readonly kvNamespace = namespace;
    }
    return new Import(scope, id);
  }

  /** The mount's `path` (a token). */
  public readonly kvMountPath: string;
  /** The mount path as written ("kv"), never a token. */
  public readonly kvMountPathLiteral: string;
  /** Engine version of the mount. */
  public readonly kvVersion: KvVersion;
  /** Namespace of the mount; undefined for the root namespace. */
  public readonly kvNamespace?: IVaultNamespace;
  /** The L1 mount (escape hatch). */
  public readonly mount: Mount;
  /** The v2 engine config; undefined for v1. */
  public readonly engineConfig?: KvSecretBackendV2;

  /** @throws Error when the path is invalid or `maxVersions` would prune. */
  constructor(scope: Construct, id: string, props: KvMountProps = {}) {
    super(scope, id);
    const path = props.path ?? "kv";
    const version = props.version ?? KvVersion.V1;
    // Same rules as the keystore spec (path, version pruning), so a mount cannot be made that a spec refuses.
    resolveKeystoreSpec({
      prefix: "x",
      kvEngine: path,
      kvVersion: version,
      kvMaxVersions: props.maxVersions,
    });
    const namespace = props.namespace?.namespacePath;
    this.mount = new Mount(this, "Resource", {
      path,
      type: "kv",
      options: { version: version.mountOption },
      description: props.description ?? "K/V keystore of the KES-compatible key server",
      ...(namespace === undefined ? {} : { namespace }),
    });
    if (version === KvVersion.V2) {
      this.engineConfig = new KvSecretBackendV2(this, "Config", {
        mount: this.mount.path,
        maxVersions: props.maxVersions ?? 0,
        deleteVersionAfter: 0,
        casRequired: false,
        ...(namespace === undefined ? {} : { namespace }),
      });
    }
    this.kvMountPath = this.mount.path;
    this.kvMountPathLiteral = path;
    this.kvVersion = version;
    this.kvNamespace = props.namespace;
  }
}
