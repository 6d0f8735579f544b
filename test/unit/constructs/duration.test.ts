import { Duration } from "../../../constructs/duration";

describe("Duration", () => {
  test.each([
    [Duration.seconds(90), 90, "90s"],
    [Duration.minutes(5), 300, "5m"],
    [Duration.hours(12), 43_200, "12h"],
    [Duration.days(2), 172_800, "48h"],
    [Duration.seconds(0), 0, "0s"],
  ])(
    "GIVEN %o WHEN rendered THEN it is %d seconds and %s in Go/Vault syntax, in the unit given",
    (d, s, go) => {
      expect([d.toSeconds(), d.toGoString()]).toEqual([s, go]);
    },
  );

  test.each([
    ["90s", 90],
    ["5m", 300],
    ["12h", 43_200],
  ])("GIVEN %s WHEN parsed THEN it is %d seconds and renders back the same", (text, seconds) => {
    const d = Duration.parse(text);
    expect([d.toSeconds(), d.toGoString()]).toEqual([seconds, text]);
  });

  test.each([
    [Duration.seconds(90), "seconds"],
    [Duration.minutes(5), "minutes"],
    [Duration.hours(12), "hours"],
    [Duration.days(2), "days"],
    [Duration.parse("5m"), "minutes"],
  ])("GIVEN %o WHEN asked its unit THEN it is the unit given (%s)", (d, label) => {
    expect(d.unitLabel()).toBe(label);
  });

  test("GIVEN days WHEN read in hours THEN it is whole hours", () => {
    expect(Duration.days(30).toHours()).toBe(720);
  });

  test("fails when an amount is not a whole number", () => {
    expect(() => Duration.minutes(1.5)).toThrow(
      "duration of 1.5 minutes must be a whole number of at least 0: use a smaller unit for fractions, e.g. Duration.seconds(90)",
    );
  });

  test("fails when an amount is negative", () => {
    expect(() => Duration.seconds(-1)).toThrow("duration of -1 seconds must be a whole number of at least 0");
  });

  test.each(["5 minutes", "1h30m", "1.5h", "", "10d"])("fails when %j is parsed", (text) => {
    expect(() => Duration.parse(text)).toThrow(
      `duration ${JSON.stringify(text)} must be a whole number and one unit of s, m or h: e.g. "90s", "5m" or "12h"`,
    );
  });

  test("fails when hours are asked of a duration that is not whole hours", () => {
    expect(() => Duration.seconds(5400).toHours("caValidity")).toThrow(
      "caValidity 5400s is not a whole number of hours, which the tls provider counts in: use e.g. Duration.hours(2)",
    );
  });
});
