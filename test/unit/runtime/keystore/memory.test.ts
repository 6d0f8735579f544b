import { ErrKeyExists, ErrKeyNotFound } from "../../../../runtime/src/errors";
import { MemoryKeystore } from "../../../../runtime/src/keystore/memory";

describe("MemoryKeystore", () => {
  test("GIVEN a created key WHEN read THEN a copy of the value comes back", async () => {
    const store = new MemoryKeystore();
    const value = Buffer.from("v1");
    await store.create("k", value);
    value[0] = 0x41;
    expect(Buffer.from(await store.get("k")).toString()).toBe("v1");
  });

  test("fails when creating an existing key with ErrKeyExists", async () => {
    const store = new MemoryKeystore();
    await store.create("k", Buffer.from("v"));
    await expect(store.create("k", Buffer.from("w"))).rejects.toBe(ErrKeyExists);
  });

  test("fails when deleting a missing key with ErrKeyNotFound", async () => {
    await expect(new MemoryKeystore().delete("k")).rejects.toBe(ErrKeyNotFound);
  });

  test("GIVEN keys WHEN listed by prefix THEN they come in byte order", async () => {
    const store = new MemoryKeystore();
    for (const n of ["b", "B", "a-2", "a-10", "c"]) await store.create(n, Buffer.from(n));
    expect(await store.list("")).toEqual(["B", "a-10", "a-2", "b", "c"]);
    expect(await store.list("a-")).toEqual(["a-10", "a-2"]);
  });
});
