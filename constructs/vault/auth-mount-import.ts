import { Construct, type IConstruct } from "constructs";
import { checkMount, RESERVED_AUTH_MOUNTS } from "./keystore-spec-validation";
import type { IVaultNamespace } from "./vault-namespace";

/** The attributes every auth mount of the kit has (`IAppRoleAuth`, `IKubernetesAuthBackend`). */
export interface AuthMountAttributes extends IConstruct {
  readonly authPath: string;
  readonly authPathLiteral: string;
  readonly authNamespace?: IVaultNamespace;
}

/**
 * An existing auth mount at `path` as a construct `id` under `scope` that creates nothing; its attribute and its
 * literal are both `path`.
 * @param example a path of the mount's kind for the error message, e.g. '"approle"'
 * @throws Error naming the field `authEngine` when `path` is not a valid auth mount path ("token" is reserved).
 */
export function importAuthMount(
  scope: Construct,
  id: string,
  path: string,
  namespace: IVaultNamespace | undefined,
  example: string,
): AuthMountAttributes {
  checkMount("authEngine", path, example, RESERVED_AUTH_MOUNTS, "auth");
  class Import extends Construct implements AuthMountAttributes {
    public readonly authPath = path;
    public readonly authPathLiteral = path;
    public readonly authNamespace = namespace;
  }
  return new Import(scope, id);
}
