import { deriveAeadKey, open, seal } from "../../../../runtime/src/crypto/aead";

// KES-PROTOCOL.md §4.2 vectors: key 32×00, iv 00..0f, nonce 10..1b, plaintext 32×00.
const key = Buffer.alloc(32);
const iv = Buffer.from([...Array(16).keys()]);
const nonce = Buffer.from([...Array(12).keys()].map((i) => i + 16));
const aad = Buffer.from('{"bucket":"bucket/object"}');

describe("aead", () => {
  test("GIVEN the §4.2 inputs WHEN deriving the AES256 key THEN it is HMAC-SHA256(key, iv)", () => {
    expect(deriveAeadKey("AES256", key, iv).toString("hex")).toBe(
      "d926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0",
    );
  });

  test("GIVEN the §4.2 inputs WHEN sealing with AES256 THEN the ciphertext matches the vector", () => {
    const ct = Buffer.concat([seal("AES256", key, iv, nonce, Buffer.alloc(32), aad), iv, nonce]);
    expect(ct.toString("base64")).toBe(
      "Tq5IFqwCstqmR5cBrIsY4gKMfRrmHwrm0OC9uXhJHBAe6Y4p5ryfb1EFroxjfJE+AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
    );
  });

  test("GIVEN the §4.2 inputs WHEN sealing with ChaCha20 THEN the ciphertext matches the vector", () => {
    const ct = Buffer.concat([seal("ChaCha20", key, iv, nonce, Buffer.alloc(32), aad), iv, nonce]);
    expect(ct.toString("base64")).toBe(
      "wV8UgphuCa7iU8OY0oyPwtPIV0FWqzpnUInjrcV4yPjfgbMsTIraUI3TYIKWvavBAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
    );
  });

  test("GIVEN a sealed value WHEN opened with other associated data THEN it is not authentic", () => {
    const sealed = seal("ChaCha20", key, iv, nonce, Buffer.from("dek"), aad);
    expect(open("ChaCha20", key, iv, nonce, sealed, Buffer.from("{}"))).toBeUndefined();
  });
});
