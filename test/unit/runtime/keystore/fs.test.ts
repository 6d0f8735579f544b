import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ErrKeyExists, ErrKeyNotFound } from "../../../../runtime/src/errors";
import { FsKeystore } from "../../../../runtime/src/keystore/fs";
import { KeystoreUnreachableError } from "../../../../runtime/src/keystore/keystore";

let root: string;
let dir: string;
let store: FsKeystore;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-fs-"));
  dir = path.join(root, "keys", "nested");
  store = new FsKeystore(dir);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("FsKeystore", () => {
  test("GIVEN a missing directory WHEN a key is created THEN the directory is made and the file holds the value", async () => {
    await store.create("my-key", Buffer.from("value-1"));
    expect(fs.readFileSync(path.join(dir, "my-key"), "utf8")).toBe("value-1");
  });

  test("GIVEN a created key WHEN the directory is listed THEN only the key file is there (no temporary file)", async () => {
    await store.create("my-key", Buffer.from("v"));
    expect(fs.readdirSync(dir)).toEqual(["my-key"]);
  });

  test("GIVEN a created key WHEN its file mode is read THEN it is 0600", async () => {
    await store.create("my-key", Buffer.from("v"));
    expect(fs.statSync(path.join(dir, "my-key")).mode & 0o777).toBe(0o600);
  });

  test("GIVEN a created key WHEN read THEN the value comes back", async () => {
    await store.create("k1", Buffer.from("value-1"));
    expect(Buffer.from(await store.get("k1")).toString()).toBe("value-1");
  });

  test("fails when creating a key that exists, and keeps the first value", async () => {
    await store.create("k1", Buffer.from("first"));
    await expect(store.create("k1", Buffer.from("second"))).rejects.toBe(ErrKeyExists);
    expect(Buffer.from(await store.get("k1")).toString()).toBe("first");
    expect(fs.readdirSync(dir)).toEqual(["k1"]);
  });

  test("GIVEN ten concurrent creates of one name WHEN they settle THEN exactly one succeeds", async () => {
    const results = await Promise.allSettled(
      [...Array(10).keys()].map((i) => store.create("race", Buffer.from(`v${i}`))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason === ErrKeyExists)).toHaveLength(9);
  });

  test("fails when reading a missing key with ErrKeyNotFound", async () => {
    await expect(store.get("nope")).rejects.toBe(ErrKeyNotFound);
  });

  test("GIVEN a key WHEN deleted THEN it is gone", async () => {
    await store.create("k1", Buffer.from("v"));
    await store.delete("k1");
    await expect(store.get("k1")).rejects.toBe(ErrKeyNotFound);
  });

  test("fails when deleting a missing key with ErrKeyNotFound", async () => {
    await store.create("other", Buffer.from("v"));
    await expect(store.delete("nope")).rejects.toBe(ErrKeyNotFound);
  });

  test("GIVEN keys and a stray temporary file WHEN listed by prefix THEN matching key names come sorted", async () => {
    for (const n of ["b-2", "a-1", "b-1", "c"]) await store.create(n, Buffer.from(n));
    fs.writeFileSync(path.join(dir, ".tmp-b-3-0011"), "half");
    expect(await store.list("b-")).toEqual(["b-1", "b-2"]);
    expect(await store.list("")).toEqual(["a-1", "b-1", "b-2", "c"]);
  });

  test("GIVEN a missing directory WHEN listed THEN the list is empty", async () => {
    expect(await store.list("")).toEqual([]);
  });

  test("fails when a key name would leave the directory", async () => {
    await expect(store.create("../evil", Buffer.from("v"))).rejects.toThrow(
      'fs keystore: key name "../evil" contains "/", "\\" or ".", or is empty',
    );
  });

  test("GIVEN an accessible directory WHEN status is asked THEN it reports a latency", async () => {
    expect((await store.status()).latencyMs).toBeGreaterThanOrEqual(0);
  });

  test("fails when the path is a file, with KeystoreUnreachableError on status", async () => {
    const file = path.join(root, "file");
    fs.writeFileSync(file, "x");
    await expect(new FsKeystore(file).status()).rejects.toBeInstanceOf(KeystoreUnreachableError);
  });

  test("fails when creating under a path that is a file, naming the directory and the fix", async () => {
    const file = path.join(root, "file");
    fs.writeFileSync(file, "x");
    await expect(new FsKeystore(file).create("k", Buffer.from("v"))).rejects.toThrow(
      `fs keystore: "${file}" is not a directory: set keystore.fs.path to a directory`,
    );
  });
});
