/**
 * Version of Vault's K/V secrets engine that holds the keys.
 * @see https://openbao.org/docs/secrets/kv/
 */
export class KvVersion {
  /** K/V version 1: one value per path, no history. The default of KES and MinIO's guides. */
  public static readonly V1 = new KvVersion(1);
  /** K/V version 2: versioned; the key server reads version 1 and creates with `cas: 0`. */
  public static readonly V2 = new KvVersion(2);

  /**
   * The version for a number, as config files carry it.
   * @throws Error when `version` is neither 1 nor 2.
   */
  public static of(version: number): KvVersion {
    if (version === 1) return KvVersion.V1;
    if (version === 2) return KvVersion.V2;
    throw new Error(
      `kvVersion ${JSON.stringify(version)} is not supported: use 1 (KvVersion.V1) or 2 (KvVersion.V2)`,
    );
  }

  private constructor(
    /** 1 or 2. */
    public readonly version: 1 | 2,
  ) {}

  /** The value of the key server's `keystore.vault.version`: "v1" or "v2". */
  public get keystoreVersion(): "v1" | "v2" {
    return this.version === 1 ? "v1" : "v2";
  }

  /** The `options.version` of the Vault mount: "1" or "2". */
  public get mountOption(): string {
    return String(this.version);
  }
}
