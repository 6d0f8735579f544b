import { ManualClock } from "../../../../runtime/src/cache/clock";

describe("ManualClock", () => {
  test("GIVEN two intervals WHEN time advances THEN they fire in time order, as often as due", () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setInterval(() => fired.push(`a@${clock.now()}`), 30);
    clock.setInterval(() => fired.push(`b@${clock.now()}`), 20);
    clock.advance(60);
    expect(fired).toEqual(["b@1020", "a@1030", "b@1040", "a@1060", "b@1060"]);
    expect(clock.now()).toBe(1060);
  });

  test("GIVEN a cleared interval WHEN time advances THEN it does not fire", () => {
    const clock = new ManualClock();
    let n = 0;
    const h = clock.setInterval(() => n++, 10);
    clock.clearInterval(h);
    clock.advance(100);
    expect(n).toBe(0);
  });

  test("fails when the interval is not positive", () => {
    expect(() => new ManualClock().setInterval(() => undefined, 0)).toThrow(
      "interval must be positive, got 0",
    );
  });
});
