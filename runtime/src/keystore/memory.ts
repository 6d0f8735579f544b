/**
 * An in-memory keystore: volatile, for tests and dev mode (KES' MemKeyStore).
 * @see https://github.com/minio/kes/blob/master/keystore.go
 */
import { ErrKeyExists, ErrKeyNotFound } from "../errors";
import type { Keystore, KeystoreState } from "./keystore";
import { selectNames } from "./list";

/** Keeps entries in a Map; values are copied in and out so callers cannot alter stored entries. */
export class MemoryKeystore implements Keystore {
  private readonly entries = new Map<string, Buffer>();

  /** @throws KesError ErrKeyExists when `name` exists. */
  async create(name: string, value: Uint8Array): Promise<void> {
    if (this.entries.has(name)) throw ErrKeyExists;
    this.entries.set(name, Buffer.from(value));
  }

  /** @throws KesError ErrKeyNotFound when `name` does not exist. */
  async get(name: string): Promise<Uint8Array> {
    const v = this.entries.get(name);
    if (!v) throw ErrKeyNotFound;
    return Buffer.from(v);
  }

  /** @throws KesError ErrKeyNotFound when `name` does not exist. */
  async delete(name: string): Promise<void> {
    if (!this.entries.delete(name)) throw ErrKeyNotFound;
  }

  /** Never throws. */
  async list(prefix: string): Promise<string[]> {
    return selectNames(this.entries.keys(), prefix);
  }

  /** Always reachable; reports 1 ms as KES does. */
  async status(): Promise<KeystoreState> {
    return { latencyMs: 1 };
  }

  async close(): Promise<void> {}
}
