import { AuditLog, auditStreamEvent, type AuditRecord } from "../../../../runtime/src/log/audit";
import { LEVEL, Logger } from "../../../../runtime/src/log/logger";
import { Multicast } from "../../../../runtime/src/log/multicast";
import { splitAddress } from "../../../../runtime/src/server/server";

const record: AuditRecord = {
  time: new Date("2026-01-02T03:04:05.250Z"),
  method: "POST",
  path: "/v1/key/create/k1",
  identity: "ab".repeat(32),
  ip: "127.0.0.1",
  status: 200,
  responseTimeMs: 1.6,
  message: "secret key 'k1' created",
};

describe("auditStreamEvent", () => {
  test("GIVEN a record WHEN encoded for the stream THEN it has KES' AuditLogEvent shape with milliseconds", () => {
    expect(auditStreamEvent(record)).toBe(
      `{"time":"2026-01-02T03:04:05.25Z","request":{"ip":"127.0.0.1","path":"/v1/key/create/k1","identity":"${"ab".repeat(32)}"},"response":{"code":200,"time":2}}`,
    );
  });
});

describe("AuditLog", () => {
  test("GIVEN output on WHEN a record is logged THEN one JSON line with msg, req and res is written", () => {
    const lines: string[] = [];
    new AuditLog(true, { write: (l: string) => lines.push(l) }).log(record);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: "INFO",
      msg: "secret key 'k1' created",
      req: { path: "/v1/key/create/k1" },
      res: { code: 200 },
    });
  });

  test("GIVEN output off and no subscriber WHEN a record is logged THEN nothing is written or counted", () => {
    const lines: string[] = [];
    const audit = new AuditLog(false, { write: (l: string) => lines.push(l) });
    audit.log(record);
    expect([lines.length, audit.events]).toEqual([0, 0]);
  });
});

describe("Logger", () => {
  test("GIVEN level WARN WHEN info and error are logged THEN only the error line is written", () => {
    const lines: string[] = [];
    const log = new Logger(LEVEL.WARN, { write: (l: string) => lines.push(l) });
    log.info("skipped");
    log.error("kept", { path: "/v1/status" });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: expect.any(String), level: "ERROR", msg: "kept", path: "/v1/status" },
    ]);
  });

  test("GIVEN a stream subscriber WHEN an event is logged THEN it receives a {message} line", () => {
    const log = new Logger(LEVEL.INFO, { write: () => true });
    const got: string[] = [];
    log.stream.add({ write: (l) => (got.push(l), true) });
    log.warn("keystore slow");
    expect(JSON.parse(got[0]).message).toMatch(/level=WARN msg="keystore slow"$/);
  });
});

describe("Multicast", () => {
  test("GIVEN a subscriber whose write fails WHEN publishing THEN it is removed", () => {
    const m = new Multicast();
    m.add({ write: () => false });
    m.add({ write: () => true });
    m.publish("x\n");
    expect(m.size).toBe(1);
  });
});

describe("splitAddress", () => {
  test.each([
    ["127.0.0.1:7373", "127.0.0.1", 7373],
    [":7373", "0.0.0.0", 7373],
    ["[::1]:7000", "::1", 7000],
    ["localhost:0", "localhost", 0],
  ])("GIVEN %j WHEN split THEN host %j and port %d", (addr, host, port) => {
    expect(splitAddress(addr)).toEqual({ host, port });
  });

  test("fails when the port is missing", () => {
    expect(() => splitAddress("127.0.0.1")).toThrow(
      'address "127.0.0.1" must be host:port, e.g. 0.0.0.0:7373 or 127.0.0.1:7373',
    );
  });
});
