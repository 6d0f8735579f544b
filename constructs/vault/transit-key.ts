import { Mount } from "@cdktf/provider-vault/lib/mount";
import { TransitSecretBackendKey } from "@cdktf/provider-vault/lib/transit-secret-backend-key";
import { Construct } from "constructs";
import { resolveKeystoreSpec } from "./keystore-spec-validation";
import type { IVaultNamespace } from "./vault-namespace";

export interface TransitKeyProps {
  /**
   * Mount path of the transit engine.
   * @default "transit"
   */
  readonly engine?: string;
  /** Key name. */
  readonly keyName: string;
  /**
   * Mount the engine here; false to use an engine that already exists at `engine`.
   * @default true
   */
  readonly createMount?: boolean;
  /**
   * Let Terraform delete the key on destroy. Deleting it makes every key it wrapped unreadable, so by default a
   * destroy fails on it until this is set (and applied).
   * @default false
   */
  readonly deletionAllowed?: boolean;
  /**
   * Namespace of the engine.
   * @default - the root namespace
   */
  readonly namespace?: IVaultNamespace;
}

/**
 * A transit key for wrapping stored keys, with rotation disabled and min_decryption_version 1 (the key server
 * only reads `vault:v1:` ciphertexts), not exportable, and not deletable unless `deletionAllowed` is set.
 * @see ../../docs/vault.md#the-keystore-spec (transit rules)
 */
export class TransitKey extends Construct {
  /** Key name (a token). */
  public readonly keyName: string;
  /** The L1 mount, when created here. */
  public readonly mount?: Mount;
  /** The L1 key (escape hatch; keep rotation off). */
  public readonly key: TransitSecretBackendKey;

  /** @throws Error when the engine path or key name is invalid (same rules as the keystore spec). */
  constructor(scope: Construct, id: string, props: TransitKeyProps) {
    super(scope, id);
    const engine = props.engine ?? "transit";
    resolveKeystoreSpec({ prefix: "x", transit: { engine, key: props.keyName } });
    const namespace = props.namespace?.namespacePath;
    const ns = namespace === undefined ? {} : { namespace };
    if (props.createMount ?? true) {
      this.mount = new Mount(this, "Mount", {
        path: engine,
        type: "transit",
        description: "Transit wrapping of key server keys",
        ...ns,
      });
    }
    this.key = new TransitSecretBackendKey(this, "Resource", {
      backend: this.mount ? this.mount.path : engine,
      name: props.keyName,
      type: "aes256-gcm96",
      autoRotatePeriod: 0,
      minDecryptionVersion: 1,
      deletionAllowed: props.deletionAllowed ?? false,
      exportable: false,
      allowPlaintextBackup: false,
      ...ns,
    });
    this.keyName = this.key.name;
  }
}
