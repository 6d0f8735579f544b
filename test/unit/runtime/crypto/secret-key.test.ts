import { ErrDecrypt, KesError } from "../../../../runtime/src/errors";
import { SecretKey, type KeyAlgorithm } from "../../../../runtime/src/crypto/secret-key";
import { inspect } from "node:util";

const algorithms: KeyAlgorithm[] = ["AES256", "ChaCha20"];
const zeroKey = (a: KeyAlgorithm) => new SecretKey(a, Buffer.alloc(32));
const aad = Buffer.from('{"bucket":"bucket/object"}');
const VECTORS: Record<KeyAlgorithm, string> = {
  AES256:
    "Tq5IFqwCstqmR5cBrIsY4gKMfRrmHwrm0OC9uXhJHBAe6Y4p5ryfb1EFroxjfJE+AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
  ChaCha20:
    "wV8UgphuCa7iU8OY0oyPwtPIV0FWqzpnUInjrcV4yPjfgbMsTIraUI3TYIKWvavBAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
};

function expectDecryptError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(KesError);
  expect(ErrDecrypt.is(caught)).toBe(true);
}

/** A legacy MessagePack ciphertext built from the documented layout [alg, id, iv, nonce, bytes]. */
function msgpack(algorithm: string, current: Buffer): Buffer {
  const sealed = current.subarray(0, current.length - 28);
  const ivPart = current.subarray(current.length - 28, current.length - 12);
  const noncePart = current.subarray(current.length - 12);
  // fixstr up to 31 bytes, str8 above (the 32-character hex id is a str8)
  const str = (s: string) =>
    Buffer.concat([Buffer.from(s.length < 32 ? [0xa0 | s.length] : [0xd9, s.length]), Buffer.from(s)]);
  const bin = (b: Buffer) => Buffer.concat([Buffer.from([0xc4, b.length]), b]);
  return Buffer.concat([
    Buffer.from([0x95]),
    str(algorithm),
    str("00112233445566778899aabbccddeeff"),
    bin(ivPart),
    bin(noncePart),
    bin(sealed),
  ]);
}

/** A legacy JSON ciphertext built from the documented layout {"aead","id","iv","nonce","bytes"}. */
function legacyJson(aead: string, current: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify({
      aead,
      id: "00112233445566778899aabbccddeeff",
      iv: current.subarray(current.length - 28, current.length - 12).toString("base64"),
      nonce: current.subarray(current.length - 12).toString("base64"),
      bytes: current.subarray(0, current.length - 28).toString("base64"),
    }),
  );
}

describe.each(algorithms)("SecretKey %s", (algorithm) => {
  test("GIVEN the §4.2 vector WHEN decrypted with the zero key and its context THEN it gives 32 zero bytes", () => {
    expect(zeroKey(algorithm).decrypt(Buffer.from(VECTORS[algorithm], "base64"), aad)).toEqual(
      Buffer.alloc(32),
    );
  });

  test("GIVEN a plaintext WHEN encrypted and decrypted with the same context THEN the plaintext comes back", () => {
    const key = SecretKey.generate(algorithm);
    const ct = key.encrypt(Buffer.from("a data encryption key"), aad);
    expect(key.decrypt(ct, aad).toString()).toBe("a data encryption key");
  });

  test("GIVEN a 32-byte plaintext WHEN encrypted THEN the ciphertext is 76 bytes (44 bytes overhead)", () => {
    expect(SecretKey.generate(algorithm).encrypt(Buffer.alloc(32)).length).toBe(76);
  });

  test("GIVEN no context WHEN encrypting THEN an empty context decrypts it (nil AAD = empty AAD)", () => {
    const key = SecretKey.generate(algorithm);
    expect(key.decrypt(key.encrypt(Buffer.from("x")), Buffer.alloc(0)).toString()).toBe("x");
  });

  test("fails when a ciphertext byte is flipped", () => {
    const key = SecretKey.generate(algorithm);
    const ct = key.encrypt(Buffer.from("secret"), aad);
    ct[0] ^= 1;
    expectDecryptError(() => key.decrypt(ct, aad));
  });

  test("fails when the iv is flipped (the derived key changes)", () => {
    const key = SecretKey.generate(algorithm);
    const ct = key.encrypt(Buffer.from("secret"), aad);
    ct[ct.length - 20] ^= 1;
    expectDecryptError(() => key.decrypt(ct, aad));
  });

  test("fails when the context differs", () => {
    const key = SecretKey.generate(algorithm);
    expectDecryptError(() => key.decrypt(key.encrypt(Buffer.from("secret"), aad), Buffer.from("{}")));
  });

  test("fails when decrypted with another key", () => {
    const ct = SecretKey.generate(algorithm).encrypt(Buffer.from("secret"));
    expectDecryptError(() => SecretKey.generate(algorithm).decrypt(ct));
  });

  test.each([0, 1, 27, 28])("fails when the ciphertext is %i bytes (<= 28)", (n) => {
    expectDecryptError(() => SecretKey.generate(algorithm).decrypt(Buffer.alloc(n, 7)));
  });

  test("fails when only the tag is missing (29..43 bytes)", () => {
    expectDecryptError(() => SecretKey.generate(algorithm).decrypt(Buffer.alloc(40, 7)));
  });

  test.each(algorithm === "AES256" ? ["AES256-GCM_SHA256", "AES256"] : ["XCHACHA20-POLY1305", "ChaCha20"])(
    "GIVEN a legacy MessagePack ciphertext naming %s WHEN decrypted THEN the plaintext comes back",
    (name) => {
      const key = SecretKey.generate(algorithm);
      const legacy = msgpack(name, key.encrypt(Buffer.from("old dek"), aad));
      expect(legacy[0]).toBe(0x95);
      expect(key.decrypt(legacy, aad).toString()).toBe("old dek");
    },
  );

  test("GIVEN a legacy JSON ciphertext WHEN decrypted THEN the plaintext comes back", () => {
    const key = SecretKey.generate(algorithm);
    const aeadName = algorithm === "AES256" ? "AES-256-GCM-HMAC-SHA-256" : "ChaCha20Poly1305";
    expect(
      key.decrypt(legacyJson(aeadName, key.encrypt(Buffer.from("older dek"), aad)), aad).toString(),
    ).toBe("older dek");
  });

  test("fails when a legacy MessagePack ciphertext names an unknown algorithm", () => {
    const key = SecretKey.generate(algorithm);
    expectDecryptError(() => key.decrypt(msgpack("DES", key.encrypt(Buffer.from("x"), aad)), aad));
  });

  test("fails when a legacy JSON ciphertext is tampered with", () => {
    const key = SecretKey.generate(algorithm);
    const ct = key.encrypt(Buffer.from("x"), aad);
    ct[0] ^= 1;
    expectDecryptError(() => key.decrypt(legacyJson("ChaCha20Poly1305", ct), aad));
  });
});

describe("SecretKey", () => {
  test("GIVEN no algorithm WHEN generating THEN it is AES256", () => {
    expect(SecretKey.generate().algorithm).toBe("AES256");
  });

  test("fails when the key is not 32 bytes", () => {
    expect(() => new SecretKey("AES256", Buffer.alloc(16))).toThrow("invalid key size for 'AES256'");
  });

  test("GIVEN a key WHEN serialised or inspected THEN its bytes do not appear", () => {
    const key = new SecretKey("AES256", Buffer.alloc(32, 0xab));
    const shown = JSON.stringify(key) + inspect(key);
    expect(shown).toContain("AES256");
    expect(shown).not.toMatch(/ab|171|q6ur/i);
  });
});
