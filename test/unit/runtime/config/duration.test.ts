import { parseDuration } from "../../../../runtime/src/config/duration";

describe("parseDuration", () => {
  test.each([
    ["0", 0],
    ["5m", 300_000],
    ["5m0s", 300_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["300ms", 300],
    ["1500us", 1.5],
    ["-2s", -2000],
  ])("GIVEN %j WHEN parsed THEN it is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 6);
  });

  test.each([[""], ["5"], ["5 m"], ["m"], ["5d"], ["1h-5m"]])("fails when the text is %j", (text) => {
    expect(() => parseDuration(text)).toThrow(
      `invalid duration "${text}": use Go syntax such as 30s, 5m or 1h30m`,
    );
  });
});
