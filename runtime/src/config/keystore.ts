/**
 * Opens the keystore a config selects.
 */
import { FsKeystore } from "../keystore/fs";
import type { Keystore } from "../keystore/keystore";
import { MemoryKeystore } from "../keystore/memory";
import { VaultKeystore } from "../keystore/vault";
import type { KeystoreConfig } from "./parse";

/**
 * Opens (and for Vault: logs in to) the configured keystore. `onError` receives the keystore's
 * secret-free background failure lines (Vault renewal and re-login).
 * @throws Error from the backend when it cannot be opened, e.g. a failed Vault login.
 */
export async function openKeystore(
  ks: KeystoreConfig,
  onError?: (message: string) => void,
): Promise<Keystore> {
  switch (ks.kind) {
    case "memory":
      return new MemoryKeystore();
    case "fs":
      return new FsKeystore(ks.path);
    case "vault":
      return VaultKeystore.connect({ ...ks.vault, onError });
  }
}
