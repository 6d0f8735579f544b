import type { Construct } from "constructs";
import { Keystore, type IKeystore, type KeystoreProps } from "../vault/keystore";

/**
 * The Vault half of a tenant: a keystore the tenant creates from props (child id "Keystore"), or one that
 * exists already (created elsewhere in the stack).
 */
export class TenantKeystore {
  /** Create the keystore (spec, mounts, policy, login) inside the tenant. */
  public static fromProps(props: KeystoreProps): TenantKeystore {
    return new TenantKeystore((scope) => new Keystore(scope, "Keystore", props));
  }

  /** Use a keystore defined elsewhere. */
  public static fromKeystore(keystore: IKeystore): TenantKeystore {
    return new TenantKeystore(() => keystore);
  }

  private constructor(private readonly create: (scope: Construct) => IKeystore) {}

  /**
   * The keystore, created under `scope` when built from props.
   * @throws Error from Keystore when the props are invalid.
   */
  public bind(scope: Construct): IKeystore {
    return this.create(scope);
  }
}
