import { serverWorkers } from "../../../../runtime/src/cli/server";

describe("serverWorkers", () => {
  test("GIVEN --workers 3 and KEYSERVER_WORKERS=2 WHEN read THEN the flag wins", () => {
    expect(serverWorkers(["--config", "c.yml", "--workers", "3"], { KEYSERVER_WORKERS: "2" })).toBe(3);
  });

  test("GIVEN no flag and KEYSERVER_WORKERS=2 WHEN read THEN 2", () => {
    expect(serverWorkers(["--config", "c.yml"], { KEYSERVER_WORKERS: "2" })).toBe(2);
  });

  test("GIVEN --dev and KEYSERVER_WORKERS=2 WHEN read THEN 1: the variable does not apply to --dev", () => {
    expect(serverWorkers(["--dev"], { KEYSERVER_WORKERS: "2" })).toBe(1);
  });

  test("GIVEN neither WHEN read THEN 1", () => {
    expect(serverWorkers(["--config", "c.yml"], {})).toBe(1);
  });

  test("fails when KEYSERVER_WORKERS is not a number: the message names the variable", () => {
    expect(() => serverWorkers(["--config", "c.yml"], { KEYSERVER_WORKERS: "many" })).toThrow(
      'server: KEYSERVER_WORKERS "many" must be a whole number from 1 to 64, e.g. KEYSERVER_WORKERS=2',
    );
  });

  test("fails when --workers 2 is given with --dev", () => {
    expect(() => serverWorkers(["--dev", "--workers", "2"], {})).toThrow(
      "server: --workers applies to --config only: --dev makes a random admin key per process",
    );
  });
});
