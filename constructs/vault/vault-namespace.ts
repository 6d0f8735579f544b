import { Namespace } from "@cdktf/provider-vault/lib/namespace";
import { Construct } from "constructs";
import { checkNamespace } from "./keystore-spec-validation";

/**
 * A Vault namespace that other constructs put their resources in.
 *
 * Like every Vault interface of the kit, it has an attribute and its literal: `namespacePath` is the attribute
 * to put in resource arguments (a token when the namespace is created here, so Terraform creates the namespace
 * first), `namespacePathLiteral` the same path as written, known at synth, to compare and render with.
 */
export interface IVaultNamespace {
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
 * {@link VaultNamespace.fromPath} instead.
 * @see https://openbao.org/docs/concepts/namespaces/
 */
export class VaultNamespace extends Construct implements IVaultNamespace {
  /**
   * The namespace the login (AppRole or Kubernetes auth mount) lives in: the keystore's own namespace when
   * `authNamespace` is not set, the root namespace for "/" (or ""), else that existing namespace.
   * @throws Error when `authNamespace` is not a valid namespace path.
   */
  public static forLogin(
    namespace: IVaultNamespace | undefined,
    authNamespace: string | undefined,
  ): IVaultNamespace | undefined {
    if (authNamespace === undefined) return namespace;
    return authNamespace === "/" || authNamespace === "" ? undefined : VaultNamespace.fromPath(authNamespace);
  }

  /**
   * An existing namespace: nothing is created.
   * @throws Error when `path` is not a valid namespace path.
   */
  public static fromPath(path: string): IVaultNamespace {
    checkNamespace("namespace", path);
    return { namespacePath: path, namespacePathLiteral: path };
  }

  /** The namespace's `path_fq` (a token). */
  public readonly namespacePath: string;
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
