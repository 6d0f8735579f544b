/**
 * Where KES keeps keys on Vault's K/V engine, as pure functions of the keystore settings: the single
 * source for the store, its tests and anything that must agree with it (policies).
 * v1: `<engine>/<prefix>/<name>` (read, create, delete), list `<engine>/<prefix>`.
 * v2: `<engine>/data/<prefix>/<name>` (read version 1, create with cas 0), delete and list under
 * `<engine>/metadata/<prefix>`. Paths join like Go's path.Join: empty segments and extra slashes vanish.
 * @see https://github.com/minio/kes/blob/master/internal/keystore/vault/vault.go
 */
import * as path from "node:path";

/** The K/V engine version. */
export type KvVersion = "v1" | "v2";

/** Joins segments as Go's path.Join does, without leading or trailing slash. */
export function joinVaultPath(...segments: string[]): string {
  const joined = path.posix.join("/", ...segments.filter((s) => s !== ""));
  return joined.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** The API paths (without /v1/) a keystore uses for one engine, version and prefix. */
export interface KvPaths {
  /** Existence check, create (PUT) and, for v1, read. */
  readonly entry: (name: string) => string;
  /** Read path (v2 adds `?version=1`, see readQuery). */
  readonly read: (name: string) => string;
  /** Query of the read: v2 always reads version 1. */
  readonly readQuery: Readonly<Record<string, string>>;
  /** Delete path (v2 deletes the metadata: all versions). */
  readonly delete: (name: string) => string;
  /** List path (sent with `?list=true`). */
  readonly list: string;
}

/** The paths for `engine`, `version` and `prefix` (prefix may be empty). Never throws. */
export function kvPaths(engine: string, version: KvVersion, prefix = ""): KvPaths {
  if (version === "v2") {
    return {
      entry: (name) => joinVaultPath(engine, "data", prefix, name),
      read: (name) => joinVaultPath(engine, "data", prefix, name),
      readQuery: { version: "1" },
      delete: (name) => joinVaultPath(engine, "metadata", prefix, name),
      list: joinVaultPath(engine, "metadata", prefix),
    };
  }
  return {
    entry: (name) => joinVaultPath(engine, prefix, name),
    read: (name) => joinVaultPath(engine, prefix, name),
    readQuery: {},
    delete: (name) => joinVaultPath(engine, prefix, name),
    list: joinVaultPath(engine, prefix),
  };
}
