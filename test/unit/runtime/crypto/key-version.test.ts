import { createHmac } from "node:crypto";
import { inspect } from "node:util";
import { KesError } from "../../../../runtime/src/errors";
import {
  encodeKeyVersion,
  hmacOf,
  importKeyVersion,
  newKeyVersion,
  parseKeyVersion,
  type KeyVersion,
} from "../../../../runtime/src/crypto/key-version";
import { SecretKey } from "../../../../runtime/src/crypto/secret-key";

const IDENTITY = "a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5";
// KES-PROTOCOL.md §4.5: key 32×00 (AES256), HMAC 32×01, CreatedAt {1700000000 s, 5 ns}, CreatedBy IDENTITY.
const EXAMPLE =
  "CiQKIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAESJAogAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEQARoICIDiz6oGEAUiQGEwNTA4MzdkODUwNzA1ODJjY2Y3Mzk0YjA5ODg4NDdjYzMxMmNiODgyNTliODk0ODk5ZjZmMjM5Y2YxNzkxYTU=";

function exampleKeyVersion(): KeyVersion {
  return {
    key: new SecretKey("AES256", Buffer.alloc(32)),
    hmacKey: Buffer.alloc(32, 1),
    createdAt: new Date(1_700_000_000_000),
    createdAtNanos: 5,
    createdBy: IDENTITY,
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

describe("encodeKeyVersion", () => {
  test("GIVEN the §4.5 example WHEN encoded THEN it matches byte for byte", () => {
    expect(Buffer.from(encodeKeyVersion(exampleKeyVersion())).toString("ascii")).toBe(EXAMPLE);
  });

  test("GIVEN an empty creator and whole seconds WHEN encoded THEN the zero fields are omitted (proto3)", () => {
    const kv = { ...exampleKeyVersion(), createdAtNanos: undefined, createdBy: "" };
    const raw = Buffer.from(Buffer.from(encodeKeyVersion(kv)).toString("ascii"), "base64");
    // ... 1a 06 08 80e2cfaa06 (seconds only), and no field 4
    expect(raw.subarray(raw.length - 8).toString("hex")).toBe("1a060880e2cfaa06");
  });

  test("fails when the key version has no hmac key", () => {
    const kv = { ...exampleKeyVersion(), hmacKey: undefined };
    expect(() => encodeKeyVersion(kv)).toThrow("cannot encode a key version without a 32-byte hmac key");
  });
});

describe("parseKeyVersion", () => {
  test("GIVEN the §4.5 example WHEN parsed THEN all fields come back", () => {
    const kv = parseKeyVersion(Buffer.from(EXAMPLE));
    expect(kv.key.algorithm).toBe("AES256");
    expect(kv.key.bytes()).toEqual(Buffer.alloc(32));
    expect(Buffer.from(kv.hmacKey!)).toEqual(Buffer.alloc(32, 1));
    expect(kv.createdAt.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(kv.createdAtNanos).toBe(5);
    expect(kv.createdBy).toBe(IDENTITY);
  });

  test.each(["AES256", "ChaCha20"] as const)(
    "GIVEN a new %s key version WHEN encoded and parsed THEN it round-trips",
    (alg) => {
      const kv = newKeyVersion(IDENTITY, alg);
      const back = parseKeyVersion(encodeKeyVersion(kv));
      expect(back.key.algorithm).toBe(alg);
      expect(back.key.bytes()).toEqual(kv.key.bytes());
      expect(Buffer.from(back.hmacKey!)).toEqual(Buffer.from(kv.hmacKey!));
      expect(back.createdAt.getTime()).toBe(kv.createdAt.getTime());
      expect(back.createdBy).toBe(IDENTITY);
    },
  );

  test("GIVEN Go's zero time (legacy keys re-encoded by KES) WHEN parsed THEN the negative seconds decode", () => {
    const kv = { ...exampleKeyVersion(), createdAt: new Date(-62135596800000), createdAtNanos: undefined };
    expect(parseKeyVersion(encodeKeyVersion(kv)).createdAt.toISOString()).toBe("0001-01-01T00:00:00.000Z");
  });

  test("GIVEN the oldest legacy JSON form {bytes} WHEN parsed THEN it is an AES256 key without HMAC key", () => {
    const kv = parseKeyVersion(
      Buffer.from(JSON.stringify({ bytes: Buffer.alloc(32, 9).toString("base64") })),
    );
    expect(kv.key.algorithm).toBe("AES256");
    expect(kv.key.bytes()).toEqual(Buffer.alloc(32, 9));
    expect(kv.hmacKey).toBeUndefined();
    expect(kv.createdBy).toBe("");
  });

  test("GIVEN a 2023 legacy JSON key version WHEN parsed THEN algorithm, time and creator are read", () => {
    const json = {
      bytes: Buffer.alloc(32, 2).toString("base64"),
      algorithm: "XCHACHA20-POLY1305",
      created_at: "2023-03-04T05:06:07.123456789+01:00",
      created_by: IDENTITY,
      version: "v1",
    };
    const kv = parseKeyVersion(Buffer.from(JSON.stringify(json)));
    expect(kv.key.algorithm).toBe("ChaCha20");
    expect(kv.createdAt.toISOString()).toBe("2023-03-04T04:06:07.123Z");
    expect(kv.createdAtNanos).toBe(123456789);
    expect(kv.createdBy).toBe(IDENTITY);
  });

  test("GIVEN a legacy JSON key WHEN computing an HMAC THEN it fails with 409 key does not support HMAC", () => {
    const kv = parseKeyVersion(
      Buffer.from(JSON.stringify({ bytes: Buffer.alloc(32).toString("base64"), algorithm: "AES256" })),
    );
    const err = caught(() => hmacOf(kv, Buffer.from("root access key")));
    expect(err).toBeInstanceOf(KesError);
    expect((err as KesError).status).toBe(409);
    expect((err as KesError).message).toBe("key does not support HMAC");
  });

  test("GIVEN a legacy JSON key WHEN encrypting THEN it works like any key", () => {
    const kv = parseKeyVersion(
      Buffer.from(JSON.stringify({ bytes: Buffer.alloc(32, 3).toString("base64"), algorithm: "" })),
    );
    expect(kv.key.decrypt(kv.key.encrypt(Buffer.from("dek"))).toString()).toBe("dek");
  });

  test("fails when a legacy JSON key has an unknown algorithm", () => {
    const json = JSON.stringify({ bytes: Buffer.alloc(32).toString("base64"), algorithm: "DES" });
    expect(() => parseKeyVersion(Buffer.from(json))).toThrow(
      "invalid key version: secret key type 'DES' is not supported",
    );
  });

  test("fails when the value is neither JSON nor base64", () => {
    expect(() => parseKeyVersion(Buffer.from("not a key!"))).toThrow(
      "invalid key version: neither JSON nor padded standard base64 of a protobuf KeyVersion",
    );
  });

  test("fails when the protobuf secret key type is unknown", () => {
    const raw = Buffer.from(EXAMPLE, "base64");
    raw[37] = 3; // SecretKey.Type: 10 24 0a 20 <32 bytes> 10 <type>
    expect(() => parseKeyVersion(Buffer.from(raw.toString("base64")))).toThrow(
      "invalid key version: secret key type 3 must be 1 (AES256) or 2 (ChaCha20)",
    );
  });

  test("fails when the protobuf is truncated", () => {
    const raw = Buffer.from(EXAMPLE, "base64").subarray(0, 20);
    expect(() => parseKeyVersion(Buffer.from(raw.toString("base64")))).toThrow(
      "invalid key version: KeyVersion: protobuf: truncated field",
    );
  });
});

describe("importKeyVersion", () => {
  test.each([
    ["AES256", "AES256"],
    ["AES256-GCM_SHA256", "AES256"],
    ["ChaCha20", "ChaCha20"],
    ["XCHACHA20-POLY1305", "ChaCha20"],
  ])("GIVEN cipher %s WHEN importing THEN the key is %s with a fresh HMAC key", (cipher, alg) => {
    const kv = importKeyVersion(Buffer.alloc(32, 5), cipher, IDENTITY);
    expect(kv.key.algorithm).toBe(alg);
    expect(kv.key.bytes()).toEqual(Buffer.alloc(32, 5));
    expect(kv.hmacKey?.length).toBe(32);
    expect(kv.createdBy).toBe(IDENTITY);
  });

  test("fails when the cipher is unknown", () => {
    const err = caught(() => importKeyVersion(Buffer.alloc(32), "AES128", IDENTITY)) as KesError;
    expect([err.status, err.message]).toEqual([406, "algorithm 'AES128' is not supported"]);
  });

  test("fails when the key is not 32 bytes", () => {
    const err = caught(() => importKeyVersion(Buffer.alloc(16), "AES256-GCM_SHA256", IDENTITY)) as KesError;
    expect([err.status, err.message]).toEqual([406, "invalid key size for 'AES256-GCM_SHA256'"]);
  });
});

describe("newKeyVersion and hmacOf", () => {
  test("GIVEN no algorithm WHEN creating THEN the key is AES256 with a 32-byte HMAC key", () => {
    const kv = newKeyVersion(IDENTITY);
    expect(kv.key.algorithm).toBe("AES256");
    expect(kv.hmacKey?.length).toBe(32);
  });

  test("GIVEN the §4.5 example key WHEN computing an HMAC THEN it is HMAC-SHA256 under the HMAC key", () => {
    const kv = parseKeyVersion(Buffer.from(EXAMPLE));
    const expected = createHmac("sha256", Buffer.alloc(32, 1)).update("root access key").digest();
    expect(hmacOf(kv, Buffer.from("root access key"))).toEqual(expected);
  });

  test("GIVEN a key version WHEN serialised or inspected THEN no key material appears", () => {
    const kv = parseKeyVersion(Buffer.from(EXAMPLE));
    const shown = JSON.stringify(kv) + inspect(kv, { depth: 5 });
    expect(shown).toContain(IDENTITY);
    expect(shown).not.toMatch(/hmacKey|AQEBAQ|0101010101/);
  });
});
