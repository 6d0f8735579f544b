/**
 * A filesystem keystore, KES' `fs` layout: one file per key in one directory, named by the key, holding
 * the encoded key version. Create is atomic and exclusive: the value is written to a temporary file,
 * fsynced, then hard-linked to its name (link fails if the name exists, like O_EXCL) and the directory
 * is fsynced, so a crash leaves either no key or the whole key, never a half-written one.
 * @see https://github.com/minio/kes/blob/master/internal/keystore/fs/fs.go
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { ErrKeyExists, ErrKeyNotFound } from "../errors";
import { KeystoreUnreachableError, type Keystore, type KeystoreState } from "./keystore";
import { selectNames } from "./list";

/** Largest key file read back (1 MiB, as KES). */
const MAX_VALUE_SIZE = 1 << 20;
/** Temporary files start with "." so they can never collide with a key name (names contain no "."). */
const TEMP_PREFIX = ".tmp-";

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}

/** Stores keys as files in `dir` (created with its parents if missing). */
export class FsKeystore implements Keystore {
  /**
   * @param dir directory of the key files; created (mode 0700) on first use when it does not exist.
   */
  constructor(readonly dir: string) {}

  private ready?: Promise<void>;

  private async ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      try {
        const st = await fsp.stat(this.dir);
        if (!st.isDirectory())
          throw new Error(
            `fs keystore: "${this.dir}" is not a directory: set keystore.fs.path to a directory`,
          );
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err;
        await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      }
    })().catch((err) => {
      this.ready = undefined; // try again next time
      throw err;
    });
    return this.ready;
  }

  private file(name: string): string {
    if (name === "" || /[/\\.]/.test(name)) {
      throw new Error(
        `fs keystore: key name "${name}" contains "/", "\\" or ".", or is empty: use [A-Za-z0-9_-]`,
      );
    }
    return path.join(this.dir, name);
  }

  /**
   * Creates the file `name` with `value`, atomically and exclusively.
   * @throws KesError ErrKeyExists when the file exists; Error for an invalid name or I/O failure.
   */
  async create(name: string, value: Uint8Array): Promise<void> {
    const target = this.file(name);
    await this.ensureDir();
    const temp = path.join(this.dir, `${TEMP_PREFIX}${name}-${randomBytes(8).toString("hex")}`);
    const fh = await fsp.open(temp, "wx", 0o600);
    try {
      try {
        await fh.writeFile(value);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await fsp.link(temp, target);
      } catch (err) {
        if (isErrno(err, "EEXIST")) throw ErrKeyExists;
        throw err;
      }
    } finally {
      await fsp.rm(temp, { force: true });
    }
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const dh = await fsp.open(this.dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /**
   * Reads the file `name` (at most 1 MiB).
   * @throws KesError ErrKeyNotFound when there is no such file; Error for an invalid name, a larger file
   *   or an I/O failure.
   */
  async get(name: string): Promise<Uint8Array> {
    const file = this.file(name);
    let fh;
    try {
      fh = await fsp.open(file, "r");
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw ErrKeyNotFound;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size > MAX_VALUE_SIZE) throw new Error(`fs keystore: key file "${file}" is larger than 1 MiB`);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  /**
   * Removes the file `name`.
   * @throws KesError ErrKeyNotFound when there is no such file; Error for an invalid name or I/O failure.
   */
  async delete(name: string): Promise<void> {
    try {
      await fsp.unlink(this.file(name));
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw ErrKeyNotFound;
      throw err;
    }
    await this.syncDir();
  }

  /**
   * Key names starting with `prefix`, sorted (temporary files excluded). A missing directory lists empty.
   * @throws Error on I/O failure.
   */
  async list(prefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return [];
      throw err;
    }
    return selectNames(
      names.filter((n) => !n.startsWith(".")),
      prefix,
    );
  }

  /**
   * Checks that the directory is accessible.
   * @throws KeystoreUnreachableError when it cannot be stat'ed.
   */
  async status(): Promise<KeystoreState> {
    const start = performance.now();
    try {
      await this.ensureDir();
      await fsp.stat(this.dir);
    } catch (err) {
      throw new KeystoreUnreachableError(
        `fs keystore: "${this.dir}" is not accessible: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { latencyMs: performance.now() - start };
  }

  async close(): Promise<void> {}
}
