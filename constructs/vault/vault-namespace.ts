import { Namespace } from "@cdktf/provider-vault/lib/namespace";
import { Construct, type IConstruct } from "constructs";
import { checkNamespace } from "./keystore-spec-validation";

/**
 * A Vault namespace that other constructs put their resources in.
 *
 * Like every Vault interface of the kit, it has an attribute and its literal: `namespacePath` is the attribute
 * to put in resource arguments (a token when the namespace is created here, so Terraform creates the namespace
 * first), `namespacePathLiteral` the same path as written, known at synth, to compare and render with.
 */
export interface IVaultNamespace extends IConstruct {
  /**
   * Fully qualified path of the namespace ("tenants/payments"), for the `namespace` argument of resources. A
   * token (the namespace's `path_fq`) when the namespace is created here: every resource placed in it then
   * depends on its creation.
   */
  readonly namespacePath: string;
  /** The fully qualified path as written ("tenants/payments"), never a token: for policies, configs, checks. */
  readonly namespacePathLiteral: string;
}

export interface VaultNamespaceProps {
  /** Full path, e.g. "payments" or "tenants/payments"; the parents must already exist. */
  readonly path: string;
}

/**
 * Creates a Vault (OpenBao >= 2.3) namespace. To place resources in a namespace that already exists, use
 * {@link VaultNamespace.fromPath} instead. Child id: Resource.
 * @see https://openbao.org/docs/concepts/namespaces/
 */
export class VaultNamespace extends Construct implements IVaultNamespace {
  /**
   * An existing namespace, as a construct `id` under `scope` that creates nothing; both its `namespacePath`
   * and `namespacePathLiteral` are `path`.
   * @param path fully qualified path, e.g. "payments" or "tenants/payments"
   * @throws Error when `path` is not a valid namespace path (a token, empty, traversal, reserved name, globs).
   */
  public static fromPath(scope: Construct, id: string, path: string): IVaultNamespace {
    return importNamespace(scope, id, "namespace", path);
  }

  /**
   * The namespace the login (AppRole or Kubernetes auth mount) lives in: `namespace` (the keystore's own) when
   * `authNamespace` is undefined, the root namespace (undefined) for "/" or "", else the existing namespace
   * `authNamespace`, imported as `id` under `scope`.
   * @throws Error when `authNamespace` is not a valid namespace path, or is neither `namespace` nor one of its
   *   ancestors (its tokens could not reach the keystore).
   */
  public static forLogin(
    scope: Construct,
    id: string,
    namespace: IVaultNamespace | undefined,
    authNamespace: string | undefined,
  ): IVaultNamespace | undefined {
    if (authNamespace === undefined) return namespace;
    if (authNamespace === "/" || authNamespace === "") return undefined;
    checkNamespace("authNamespace", authNamespace);
    const own = namespace?.namespacePathLiteral;
    if (own !== undefined && authNamespace !== own && !own.startsWith(`${authNamespace}/`)) {
      throw new Error(
        `authNamespace ${JSON.stringify(authNamespace)} is not namespace ${JSON.stringify(own)} nor one of its ancestors, so its tokens cannot reach the keystore: use "/" (root) or an ancestor such as ${JSON.stringify(own.split("/")[0])}`,
      );
    }
    return authNamespace === own ? namespace : importNamespace(scope, id, "authNamespace", authNamespace);
  }

  public readonly namespacePath: string;
  /** The fully qualified path as written (`props.path`), never a token. */
  public readonly namespacePathLiteral: string;
  /** The L1 resource (escape hatch). */
  public readonly namespace: Namespace;

  /** @throws Error when `path` is not a valid namespace path (empty, traversal, reserved name, globs). */
  constructor(scope: Construct, id: string, props: VaultNamespaceProps) {
    super(scope, id);
    checkNamespace("path", props.path);
    const segments = props.path.split("/");
    const parent = segments.slice(0, -1).join("/");
    this.namespace = new Namespace(this, "Resource", {
      path: segments[segments.length - 1],
      ...(parent === "" ? {} : { namespace: parent }),
    });
    this.namespacePath = this.namespace.pathFq;
    this.namespacePathLiteral = props.path;
  }
}

/** An existing namespace under `scope`, checked as `field`. */
function importNamespace(scope: Construct, id: string, field: string, path: string): IVaultNamespace {
  checkNamespace(field, path);
  class Import extends Construct implements IVaultNamespace {
    public readonly namespacePath = path;
    public readonly namespacePathLiteral = path;
  }
  return new Import(scope, id);
}
