/**
 * Opens the keystore a config selects.
 */
import { FsKeystore } from "../keystore/fs";
import type { Keystore } from "../keystore/keystore";
import { MemoryKeystore } from "../keystore/memory";
import type { KeystoreConfig } from "./parse";

/**
 * Opens (and for Vault: logs in to) the configured keystore.
 * @throws Error from the backend when it cannot be opened, e.g. a failed Vault login.
 */
export async function openKeystore(ks: KeystoreConfig): Promise<Keystore> {
  switch (ks.kind) {
    case "memory":
      return new MemoryKeystore();
    case "fs":
      return new FsKeystore(ks.path);
    case "vault":
      // TODO(runtime-server): VaultKeystore.connect(ks.vault) once keystore/vault.ts lands.
      throw new Error(
        `keystore.vault: the vault keystore is not in this build yet (endpoint ${ks.vault.endpoint}): use keystore.fs for now`,
      );
  }
}
