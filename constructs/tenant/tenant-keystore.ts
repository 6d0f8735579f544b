import type { Construct } from "constructs";
import { Keystore, type IKeystore, type KeystoreProps } from "../vault/keystore";

/**
 * The Vault half of a tenant: a keystore the tenant creates from props (child id "Keystore"), or one that
 * exists already (created elsewhere in the stack).
 */
export class TenantKeystore {
  /** Create the keystore (spec, mounts, policy, login) inside the tenant. */
  public static fromProps(props: KeystoreProps): TenantKeystore {
    return new TenantKeystore((scope, wiring) => new Keystore(scope, "Keystore", { ...props, ...wiring }));
  }

  /** Use a keystore defined elsewhere. */
  public static fromKeystore(keystore: IKeystore): TenantKeystore {
    return new TenantKeystore((_scope, wiring) => {
      if (Object.keys(wiring).length > 0) {
        throw new Error(
          `the tenant wires ${Object.keys(wiring).join(", ")} into its keystore, but the keystore was made elsewhere: use TenantKeystore.fromProps, or configure it on your keystore and drop the tenant option`,
        );
      }
      return keystore;
    });
  }

  private constructor(
    private readonly create: (scope: Construct, wiring: Partial<KeystoreProps>) => IKeystore,
  ) {}

  /**
   * The keystore, created under `scope` when built from props.
   * @param wiring props the tenant sets itself (e.g. the Kubernetes login bound to its key server), over the
   *   given ones.
   * @throws Error from Keystore when the props are invalid, or when `wiring` is given for a keystore made
   *   elsewhere.
   */
  public bind(scope: Construct, wiring: Partial<KeystoreProps> = {}): IKeystore {
    return this.create(scope, wiring);
  }
}
