import { hchacha20 } from "../../../../runtime/src/crypto/hchacha20";

describe("hchacha20", () => {
  test("GIVEN the XChaCha20 draft's key and input WHEN deriving THEN it gives the published sub-key", () => {
    // draft-irtf-cfrg-xchacha-03 §2.2.1
    const key = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
    const input = Buffer.from("000000090000004a0000000031415927", "hex");
    expect(hchacha20(key, input).toString("hex")).toBe(
      "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
    );
  });

  test("fails when the input is not 16 bytes", () => {
    expect(() => hchacha20(Buffer.alloc(32), Buffer.alloc(24))).toThrow(
      "hchacha20: input must be 16 bytes, got 24",
    );
  });
});
