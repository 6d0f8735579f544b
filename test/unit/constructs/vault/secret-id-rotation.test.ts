import { Duration } from "../../../../constructs/duration";
import { SecretIdRotation, timeRotatingPeriod } from "../../../../constructs/vault/secret-id-rotation";

describe("timeRotatingPeriod", () => {
  test.each([
    [Duration.days(30), "days", 30],
    [Duration.days(1), "days", 1],
    [Duration.hours(24), "hours", 24],
    [Duration.hours(12), "hours", 12],
    [Duration.minutes(60), "minutes", 60],
    [Duration.minutes(1), "minutes", 1],
    [Duration.seconds(120), "minutes", 2],
    [Duration.parse("6h"), "hours", 6],
    [Duration.parse("5m"), "minutes", 5],
  ])(
    "GIVEN %o WHEN rendered THEN it is rotation_%s = %d (the unit given, seconds as minutes)",
    (period, unit, amount) => {
      expect(timeRotatingPeriod(period)).toEqual({ unit, amount });
    },
  );

  test("fails when the period is seconds that are not whole minutes", () => {
    expect(() => timeRotatingPeriod(Duration.seconds(90))).toThrow(
      "secretIdRotation of 90 seconds is not a whole number of minutes, the smallest unit time_rotating counts in: use e.g. Duration.minutes(2)",
    );
  });

  test.each([
    [Duration.days(0), "0 days"],
    [Duration.minutes(0), "0 minutes"],
    [Duration.seconds(30), "30 seconds"],
  ])("fails when the period %o is shorter than a minute", (period, shown) => {
    expect(() => timeRotatingPeriod(period)).toThrow(
      `secretIdRotation of ${shown} is shorter than a minute, the shortest period time_rotating takes: use e.g. SecretIdRotation.every(Duration.days(30))`,
    );
  });
});

describe("SecretIdRotation", () => {
  test("GIVEN every(days) WHEN read THEN the period is kept as given", () => {
    const r = SecretIdRotation.every(Duration.days(30));
    expect([r.period.unitLabel(), r.period.toSeconds()]).toEqual(["days", 30 * 86_400]);
  });

  test("fails when every() gets a period shorter than a minute", () => {
    expect(() => SecretIdRotation.every(Duration.seconds(0))).toThrow(
      "secretIdRotation of 0 seconds is shorter than a minute",
    );
  });
});
