import { ConnectionActivity } from "../../../../runtime/src/server/connection-timeouts";

describe("ConnectionActivity", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("GIVEN a new connection without a request THEN it expires after the first timeout", () => {
    const expire = jest.fn();
    new ConnectionActivity(expire, 5000, 90_000);
    jest.advanceTimersByTime(4999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  test("GIVEN a request in flight THEN it never expires, however long the request takes", () => {
    const expire = jest.fn();
    const a = new ConnectionActivity(expire, 5000, 90_000);
    a.begin();
    jest.advanceTimersByTime(600_000);
    expect(expire).not.toHaveBeenCalled();
  });

  test("GIVEN the last request ended THEN it expires after the idle timeout", () => {
    const expire = jest.fn();
    const a = new ConnectionActivity(expire, 5000, 90_000);
    a.begin();
    a.begin();
    a.end();
    jest.advanceTimersByTime(100_000);
    expect(expire).not.toHaveBeenCalled();
    a.end();
    jest.advanceTimersByTime(89_999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  test("GIVEN ready() before any request THEN the idle timeout replaces the first one", () => {
    const expire = jest.fn();
    const a = new ConnectionActivity(expire, 10_000, 90_000);
    a.ready();
    jest.advanceTimersByTime(89_999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  test("GIVEN a disposed connection THEN nothing fires", () => {
    const expire = jest.fn();
    const a = new ConnectionActivity(expire, 5000, 90_000);
    a.dispose();
    a.end();
    jest.advanceTimersByTime(200_000);
    expect(expire).not.toHaveBeenCalled();
  });
});
