import { isValidName, isValidPattern, patternPrefix } from "../../../../runtime/src/auth/names";

describe("isValidName", () => {
  test.each([["my-key"], ["A_b-9"], ["_x"], ["x_"], ["a".repeat(80)], ["__"]])(
    "GIVEN the name %j WHEN validated THEN it is accepted",
    (name) => {
      expect(isValidName(name)).toBe(true);
    },
  );

  test.each([
    ["", "empty"],
    ["_", "a lone underscore"],
    ["a".repeat(81), "81 characters"],
    ["-key", "a leading '-'"],
    ["key-", "a trailing '-'"],
    ["../etc", "path traversal"],
    ["a/b", "a slash"],
    ["a.b", "a dot"],
    ["schlüssel", "non-ASCII unicode"],
    ["key*", "a star"],
    ["a b", "a space"],
  ])("GIVEN the name %j (%s) WHEN validated THEN it is rejected", (name) => {
    expect(isValidName(name)).toBe(false);
  });
});

describe("isValidPattern", () => {
  test.each([[""], ["*"], ["my-*"], ["key"], ["a".repeat(79) + "*"]])(
    "GIVEN the pattern %j WHEN validated THEN it is accepted",
    (p) => {
      expect(isValidPattern(p)).toBe(true);
    },
  );

  test.each([["_"], ["*a"], ["a**"], ["a-"], ["-a*"], ["a".repeat(81)], ["../*"], ["ü*"]])(
    "GIVEN the pattern %j WHEN validated THEN it is rejected",
    (p) => {
      expect(isValidPattern(p)).toBe(false);
    },
  );
});

describe("patternPrefix", () => {
  test("GIVEN a pattern with a trailing star WHEN turned into a prefix THEN the star is dropped", () => {
    expect(patternPrefix("minio-*")).toBe("minio-");
  });

  test("GIVEN the star alone WHEN turned into a prefix THEN it selects everything", () => {
    expect(patternPrefix("*")).toBe("");
  });
});
