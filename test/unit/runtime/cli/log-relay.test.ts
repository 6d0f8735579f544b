import { isRelayMessage, LogHub, type RelayMessage } from "../../../../runtime/src/cli/log-relay";
import { parseWorkers } from "../../../../runtime/src/cli/cluster";
import { Multicast } from "../../../../runtime/src/log/multicast";

function hubWith(ids: number[]): { hub: LogHub; sent: Map<number, RelayMessage[]> } {
  const hub = new LogHub();
  const sent = new Map<number, RelayMessage[]>();
  for (const id of ids) {
    sent.set(id, []);
    hub.add(id, { send: (m) => sent.get(id)!.push(m) });
  }
  for (const list of sent.values()) list.length = 0;
  return { hub, sent };
}

describe("LogHub", () => {
  test("GIVEN three workers WHEN worker 1 reports two audit clients THEN workers 2 and 3 are told the others have two", () => {
    const { hub, sent } = hubWith([1, 2, 3]);
    hub.receive(1, { kvk: "log-clients", stream: "audit", count: 2 });
    expect([sent.get(1), sent.get(2), sent.get(3)]).toEqual([
      [],
      [{ kvk: "log-remote", stream: "audit", count: 2 }],
      [{ kvk: "log-remote", stream: "audit", count: 2 }],
    ]);
  });

  test("GIVEN a client on worker 2 only WHEN worker 1 sends a line THEN only worker 2 receives it", () => {
    const { hub, sent } = hubWith([1, 2, 3]);
    hub.receive(2, { kvk: "log-clients", stream: "error", count: 1 });
    for (const list of sent.values()) list.length = 0;
    hub.receive(1, { kvk: "log-line", stream: "error", line: "x\n" });
    expect([sent.get(1), sent.get(2), sent.get(3)]).toEqual([
      [],
      [{ kvk: "log-line", stream: "error", line: "x\n" }],
      [],
    ]);
  });

  test("GIVEN a worker with clients WHEN it exits THEN the others' remote count drops to 0", () => {
    const { hub, sent } = hubWith([1, 2]);
    hub.receive(1, { kvk: "log-clients", stream: "audit", count: 1 });
    hub.remove(1);
    expect(sent.get(2)!.at(-2)).toEqual({ kvk: "log-remote", stream: "audit", count: 0 });
  });
});

describe("isRelayMessage", () => {
  test.each([
    [{ kvk: "log-line", stream: "audit", line: "" }, true],
    [{ kvk: "log-line", stream: "other", line: "" }, false],
    [{ cmd: "NODE_CLUSTER" }, false],
    [null, false],
  ])("GIVEN %j WHEN checked THEN %s", (m, want) => {
    expect(isRelayMessage(m)).toBe(want);
  });
});

describe("Multicast relay", () => {
  test("GIVEN remote clients WHEN a line is published THEN it is relayed, and size counts them", () => {
    const m = new Multicast();
    const relayed: string[] = [];
    m.relay = (l) => relayed.push(l);
    m.publish("a\n");
    m.remote = 1;
    m.publish("b\n");
    expect([relayed, m.size, m.localSize]).toEqual([["b\n"], 1, 0]);
  });

  test("GIVEN a line from another worker WHEN delivered THEN local clients get it and it is not relayed back", () => {
    const m = new Multicast();
    const got: string[] = [];
    const relayed: string[] = [];
    m.remote = 1;
    m.relay = (l) => relayed.push(l);
    m.add({ write: (l) => (got.push(l), true) });
    m.deliver("c\n");
    expect([got, relayed]).toEqual([["c\n"], []]);
  });

  test("GIVEN a local change listener WHEN a client comes and goes THEN it sees 1 then 0", () => {
    const m = new Multicast();
    const counts: number[] = [];
    m.onLocalChange = (n) => counts.push(n);
    const remove = m.add({ write: () => true });
    remove();
    remove();
    expect(counts).toEqual([1, 0]);
  });
});

describe("parseWorkers", () => {
  test("GIVEN no value WHEN parsed THEN 1", () => {
    expect(parseWorkers(undefined)).toBe(1);
  });

  test("GIVEN 4 WHEN parsed THEN 4", () => {
    expect(parseWorkers("4")).toBe(4);
  });

  test.each(["0", "-1", "1.5", "two", "65"])("fails when --workers is %s", (v) => {
    expect(() => parseWorkers(v)).toThrow(
      `server: --workers "${v}" must be a whole number from 1 to 64, e.g. --workers 2`,
    );
  });
});
