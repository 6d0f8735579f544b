import { envReference, substituteEnv } from "../../../../runtime/src/config/env";

describe("substituteEnv", () => {
  test("GIVEN a whole-value reference WHEN substituted THEN the variable's value replaces it", () => {
    expect(substituteEnv("${SECRET_ID}", "keystore.vault.approle.secret", { SECRET_ID: "abc" })).toBe("abc");
  });

  test("GIVEN surrounding and inner spaces WHEN substituted THEN they are trimmed", () => {
    expect(substituteEnv("  ${ NAME }  ", "f", { NAME: "v" })).toBe("v");
  });

  test("GIVEN text around a reference WHEN substituted THEN nothing is interpolated", () => {
    expect(substituteEnv("https://${HOST}", "f", { HOST: "h" })).toBe("https://${HOST}");
  });

  test("GIVEN a variable set to the empty string WHEN substituted THEN the empty string is used", () => {
    expect(substituteEnv("${EMPTY}", "f", { EMPTY: "" })).toBe("");
  });

  test("fails when the variable is not set", () => {
    expect(() => substituteEnv("${MISSING}", "tls.key", {})).toThrow(
      'tls.key: referenced environment variable "MISSING" is not set: set MISSING or write the value into the file',
    );
  });

  test("fails when the reference names no variable", () => {
    expect(() => substituteEnv("${ }", "tls.key", {})).toThrow(
      'tls.key: invalid environment variable reference "${ }": use ${NAME}',
    );
  });
});

describe("envReference", () => {
  test("GIVEN plain text WHEN inspected THEN it is no reference", () => {
    expect(envReference("plain")).toBeUndefined();
  });
});
