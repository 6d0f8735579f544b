import {
  BASE_BACKOFF_MS,
  MAX_BACKOFF_MS,
  MAX_TIMER_MS,
  backoffMs,
  renewDelayMs,
} from "../../../../runtime/src/keystore/vault-auth";
import { vaultErrorText } from "../../../../runtime/src/keystore/vault-http";

describe("backoffMs", () => {
  test("GIVEN the first failure WHEN jitter is lowest and highest THEN the wait is between half and all of 1 s", () => {
    expect([backoffMs(0, () => 0), backoffMs(0, () => 1)]).toEqual([BASE_BACKOFF_MS / 2, BASE_BACKOFF_MS]);
  });

  test("GIVEN repeated failures WHEN backing off THEN the wait doubles up to the 30 s cap", () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffMs(n, () => 1))).toEqual([
      2000,
      4000,
      8000,
      16000,
      30000,
      30000,
      MAX_BACKOFF_MS,
    ]);
  });

  test("GIVEN any failure count WHEN backing off THEN the wait is never below 500 ms (no busy loop)", () => {
    expect(Math.min(...[...Array(40).keys()].map((n) => backoffMs(n, () => 0)))).toBe(500);
  });
});

describe("vaultErrorText", () => {
  test("GIVEN Vault's multi-error text WHEN rendered THEN the bullet items remain", () => {
    expect(
      vaultErrorText({ status: 403, body: { errors: ["1 error occurred:\n\t* permission denied\n\n"] } }),
    ).toBe("permission denied");
  });

  test("GIVEN no errors array WHEN rendered THEN the HTTP status text is used", () => {
    expect(vaultErrorText({ status: 503, body: undefined })).toBe("Service Unavailable");
  });
});

describe("renewDelayMs", () => {
  test("GIVEN a 300 s periodic token WHEN scheduling THEN renewal comes at 80 % (240 s)", () => {
    expect(renewDelayMs(300_000)).toBe(240_000);
  });

  test("GIVEN a 32-day token WHEN scheduling THEN the delay stays within Node's timer range (no 1 ms busy loop)", () => {
    expect(renewDelayMs(32 * 86_400_000)).toBe(MAX_TIMER_MS);
  });

  test("GIVEN a token about to expire WHEN scheduling THEN the delay is at least 200 ms", () => {
    expect(renewDelayMs(10)).toBe(200);
  });
});
