/**
 * Builds the server state from a loaded config and an open keystore, and creates predefined keys.
 */
import { buildPolicySet } from "../auth/policy-set";
import { KeyCache } from "../cache/key-cache";
import type { LoadedConfig } from "../config/load";
import { newKeyVersion } from "../crypto/key-version";
import { ErrKeyExists } from "../errors";
import type { Keystore } from "../keystore/keystore";
import { configureRoutes, defaultRoutes } from "../api/routes";
import type { ServerState } from "./context";

/**
 * A new state: policies indexed, routes configured, a key cache over `keystore`.
 * @throws Error from buildPolicySet for conflicting or invalid policies.
 */
export function buildState(
  loaded: LoadedConfig,
  keystore: Keystore,
  startTime: Date = new Date(),
): ServerState {
  const policies = buildPolicySet(loaded.policies, loaded.admin);
  return stateWithKeys(loaded, new KeyCache(keystore, loaded.config.cache), startTime, policies);
}

/**
 * A new state over an existing key cache: what a reload applies at once, without calling the keystore
 * (admin, policies, identities and routes change; the keys stay where they are).
 * @throws Error from buildPolicySet for conflicting or invalid policies.
 */
export function stateWithKeys(
  loaded: LoadedConfig,
  keys: KeyCache,
  startTime: Date,
  policies = buildPolicySet(loaded.policies, loaded.admin),
): ServerState {
  return {
    admin: loaded.admin,
    policies,
    keys,
    startTime,
    routes: configureRoutes(defaultRoutes(), loaded.config.api),
    predefinedKeys: loaded.config.keys,
  };
}

/**
 * Creates the config's predefined keys that do not exist yet (created_by = admin).
 * @throws Error when the keystore fails with anything but `key already exists`.
 */
export async function createPredefinedKeys(
  state: ServerState,
  wanted: () => boolean = () => true,
): Promise<void> {
  for (const name of state.predefinedKeys) {
    if (!wanted()) return;
    try {
      await state.keys.create(name, newKeyVersion(state.admin));
    } catch (e) {
      if (!ErrKeyExists.is(e))
        throw new Error(`keys: cannot create predefined key '${name}': ${(e as Error).message}`);
    }
  }
}
