import type { Construct } from "constructs";
import { Keystore, type IKeystore, type KeystoreProps } from "../vault/keystore";
import type { KeystoreLogin } from "../vault/keystore-login";

/**
 * The Vault half of a tenant: a keystore the tenant creates from props (child id "Keystore"), or one that
 * exists already (created elsewhere in the stack).
 */
export class TenantKeystore {
  /**
   * Create the keystore (spec, mounts, policy, login) inside the tenant. A `KeystoreLogin.kubernetes(...)` login
   * is bound by the tenant to its key server's service account and namespace.
   */
  public static fromProps(props: KeystoreProps): TenantKeystore {
    return new TenantKeystore(
      props.login,
      (scope, login) => new Keystore(scope, "Keystore", { ...props, login }),
    );
  }

  /** Use a keystore defined elsewhere, with the login it was given there. */
  public static fromKeystore(keystore: IKeystore): TenantKeystore {
    return new TenantKeystore(undefined, () => keystore);
  }

  private constructor(
    /** The login the tenant binds to its key server; undefined for a keystore made elsewhere. */
    public readonly login: KeystoreLogin | undefined,
    private readonly create: (scope: Construct, login: KeystoreLogin | undefined) => IKeystore,
  ) {}

  /**
   * The keystore, created under `scope` when built from props.
   * @param login the login the tenant bound to its key server (from `login`), in place of the given one.
   * @throws Error from Keystore when the props are invalid.
   */
  public bind(scope: Construct, login: KeystoreLogin | undefined = this.login): IKeystore {
    return this.create(scope, login);
  }
}
