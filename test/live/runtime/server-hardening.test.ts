/**
 * The key server against slow, silent and oversized clients (issue 11): oversized HTTP/1.1 bodies are
 * answered 400 with `Connection: close` and the connection closes; silent, trickling and idle connections
 * are closed after their timeouts on both protocols while quiet log subscribers stay; a log subscriber
 * that stops reading is dropped instead of growing the heap; and the KES edges of routing and bodies.
 */
import * as http2 from "node:http2";
import * as tls from "node:tls";
import { connectRaw } from "../../../bench/reliability/probes";
import { apiKeyCertificate } from "../../../scripts/testbed/kes";
import { waitUntil } from "../../../scripts/testbed/process";
import { Client, kesError, startTestServer, type TestServer } from "./server-helpers";

const TIMEOUTS = { headerMs: 600, prefaceMs: 600, idleMs: 1200 };

let srv: TestServer;
let admin: Client;

beforeAll(async () => {
  srv = await startTestServer({ timeouts: TIMEOUTS });
  admin = new Client(srv.port, srv.caPem, srv.admin);
  expect((await admin.request("POST", "/v1/key/create/k1")).status).toBe(200);
});

afterAll(async () => {
  await admin?.close();
  await srv?.stop();
});

/** An HTTP/1.1 TLS connection presenting the admin's certificate, and what it received. */
const connectH1 = () => connectRaw(srv);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TLS connection that negotiated h2, for hand-made frames. */
const connectH2Raw = async () => (await connectRaw(srv, { alpn: "h2" })).socket;

describe("GIVEN an HTTP/1.1 request body over the route's limit", () => {
  test.each([
    ["1 MiB + 1 byte", 1024 * 1024 + 1],
    ["2 MiB", 2 * 1024 * 1024],
    ["16 MiB", 16 * 1024 * 1024],
  ])(
    "WHEN %s is sent THEN the answer is 400 `invalid request body` with Connection: close and the connection closes",
    async (_label, size) => {
      const c = await connectH1();
      c.socket.write(`PUT /v1/key/encrypt/k1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${size}\r\n\r\n`);
      c.socket.write(Buffer.alloc(size, 0x20)); // not awaited: the server stops reading
      expect(await c.closedWithin(5000)).toBe(true);
      const head = c.received().split("\r\n\r\n")[0].toLowerCase();
      expect(head.split("\r\n")[0]).toBe("http/1.1 400 bad request");
      expect(head).toContain("\r\nconnection: close");
      expect(c.received()).toContain(kesError("invalid request body"));
    },
  );

  test("WHEN a request follows on the same connection THEN it is not left waiting: the connection is closed after the 400", async () => {
    const c = await connectH1();
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
    c.socket.write(
      `PUT /v1/key/encrypt/k1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    c.socket.write(body);
    c.socket.write("GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(await c.closedWithin(5000)).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe("GIVEN the connection timeouts (header 0.6 s, HTTP/2 preface 0.6 s, idle 1.2 s)", () => {
  test("WHEN an HTTP/1.1 client completes TLS and sends nothing THEN the connection is closed after the header timeout", async () => {
    const c = await connectH1();
    expect(await c.closedWithin(3000)).toBe(true);
  });

  test("WHEN an HTTP/1.1 client trickles its request headers THEN the connection is closed although bytes keep coming", async () => {
    const c = await connectH1();
    c.socket.write("GET /version HTTP/1.1\r\n");
    let stop = false;
    const trickle = (async () => {
      for (let i = 0; !stop && i < 40; i++) {
        c.socket.write(`X-Slow-${i}: a\r\n`);
        await sleep(100);
      }
    })();
    const closed = await c.closedWithin(3000);
    stop = true;
    await trickle;
    expect(closed).toBe(true);
  });

  test("WHEN a kept-alive HTTP/1.1 connection stays idle after a request THEN it is closed after the idle timeout", async () => {
    const c = await connectH1();
    c.socket.write("GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await waitUntil("the /version answer", async () => c.received().includes("\r\n\r\n"));
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(await c.closedWithin(600)).toBe(false); // still open for a next request
    expect(await c.closedWithin(3000)).toBe(true);
  });

  test("WHEN an HTTP/2 client completes TLS and never sends its preface THEN the connection is closed", async () => {
    const { certPem, keyPem } = apiKeyCertificate(srv.admin);
    const socket = tls.connect({
      host: "127.0.0.1",
      port: srv.port,
      ca: srv.caPem,
      servername: "localhost",
      cert: certPem,
      key: keyPem,
      ALPNProtocols: ["h2"],
    });
    socket.on("error", () => undefined);
    socket.resume(); // read (and drop) the server's SETTINGS so that its close is seen
    const closed = new Promise<boolean>((resolve) => {
      socket.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000).unref();
    });
    expect(await closed).toBe(true);
  });

  test("WHEN an HTTP/2 session stays idle after a request THEN the server closes it after the idle timeout", async () => {
    const c = new Client(srv.port, srv.caPem, srv.admin);
    expect((await c.request("GET", "/version")).status).toBe(200);
    const closed = new Promise<boolean>((resolve) => {
      c.session.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 4000).unref();
    });
    expect(await closed).toBe(true);
    await c.close();
  });

  // Node's HTTP/2 layer already does this (a regression guard, not a fix of issue 11).
  test("WHEN an HTTP/2 request body never ends after the answer THEN the stream is reset (NO_ERROR) and the idle session is closed", async () => {
    const c = new Client(srv.port, srv.caPem, srv.admin);
    const req = c.session.request({ ":method": "GET", ":path": "/v1/no-such-route" }, { endStream: false });
    req.on("error", () => undefined);
    req.write("a"); // and never more, never the end
    const status = await new Promise<number>((resolve) =>
      req.once("response", (h) => resolve(Number(h[":status"]))),
    );
    req.resume();
    expect(status).toBe(404);
    await new Promise((r) => req.once("close", r));
    expect(req.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    const closed = new Promise<boolean>((resolve) => {
      c.session.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 4000).unref();
    });
    expect(await closed).toBe(true);
    await c.close();
  });

  test("WHEN a log subscriber receives nothing for longer than the idle timeout THEN its stream stays open", async () => {
    const c = new Client(srv.port, srv.caPem, srv.admin);
    const req = c.session.request({ ":method": "GET", ":path": "/v1/log/error" });
    req.on("error", () => undefined);
    let closed = false;
    req.on("close", () => (closed = true));
    await new Promise((r) => req.once("response", r));
    await sleep(2500);
    expect(closed).toBe(false);
    expect(c.session.closed).toBe(false);
    req.close();
    await c.close();
  });
});

// The 20,000-request fuzz (bench/reliability.ts) crashed the server once with a TypeError on a stream whose
// session was gone when Node emitted it; these hand-made frames aim at that race but do not reproduce it
// reliably: a regression guard, the fuzz is the reproduction.
describe("GIVEN HTTP/2 streams torn down before the server sees them", () => {
  /** An HTTP/2 frame: 9-byte header and payload. */
  const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };
  // HPACK: :method GET, :scheme https, :path / (static table), :authority localhost (literal)
  const headerBlock = Buffer.concat([Buffer.from([0x82, 0x87, 0x84, 0x41, 9]), Buffer.from("localhost")]);

  test("WHEN requests arrive with their RST_STREAM, then a connection error, all in one write THEN the server keeps serving", async () => {
    const c = await connectH2Raw();
    const frames: Buffer[] = [
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(4, 0, 0, Buffer.alloc(0)),
    ];
    for (let id = 1; id < 400; id += 2) {
      frames.push(frame(1, 0x5, id, headerBlock), frame(3, 0, id, Buffer.from([0, 0, 0, 8])));
    }
    // and then a DATA frame on stream 0: a connection error, the session is torn down in the same read
    for (let id = 401; id < 420; id += 2) frames.push(frame(1, 0x5, id, headerBlock));
    frames.push(frame(0, 0, 0, Buffer.from("x")));
    c.write(Buffer.concat(frames));
    await sleep(500);
    c.destroy();
    const after = new Client(srv.port, srv.caPem, srv.admin);
    expect((await after.request("GET", "/version")).status).toBe(200);
    await after.close();
  });
});

describe("GIVEN an HTTP/2 audit log subscriber that stops reading", () => {
  test("WHEN thousands of events follow THEN it is dropped once 1 MiB waits for it, and the stream is freed", async () => {
    const sub = new Client(srv.port, srv.caPem, srv.admin);
    const req = sub.session.request({ ":method": "GET", ":path": "/v1/log/audit" });
    req.on("error", () => undefined);
    await new Promise((r) => req.once("response", r));
    req.pause(); // no more reads: flow control stops the server's sends after the window
    let rstCode: number | undefined;
    const closed = new Promise<void>((resolve) =>
      req.once("close", () => ((rstCode = req.rstCode), resolve())),
    );
    const audit = srv.server.services.audit.stream;
    expect(audit.localSize).toBe(1);
    const load = new Client(srv.port, srv.caPem, srv.admin);
    for (let i = 0; i < 100 && audit.localSize > 0; i++) {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          load.request("POST", "/v1/key/generate/k1", {}, { "content-type": "application/json" }),
        ),
      );
    }
    await load.close();
    await closed;
    expect(audit.localSize).toBe(0);
    expect(rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    await sub.close();
  }, 60_000);
});

describe("GIVEN KES' edges (Go 1.22 ServeMux and json.Decoder)", () => {
  // a session per test: the 1.2 s idle timeout closes sessions between the tests above
  let admin: Client;
  beforeEach(() => {
    admin = new Client(srv.port, srv.caPem, srv.admin);
  });
  afterEach(() => admin.close());

  test("WHEN a generate path hides a traversal in encoded slashes THEN the answer is 400 for the name, not a redirect to delete", async () => {
    expect((await admin.request("POST", "/v1/key/create/other-c")).status).toBe(200);
    const r = await admin.request("POST", "/v1/key/generate/my-x%2F..%2F..%2Fdelete%2Fother-c", {});
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("key name 'my-x/../../delete/other-c' is empty, too long or contains invalid characters"),
    ]);
    expect((await admin.request("GET", "/v1/key/describe/other-c")).status).toBe(200);
  });

  test("WHEN a subtree root lacks its trailing slash THEN the redirect is 307 with the query kept", async () => {
    const r = await admin.request("GET", "/v1/key/list?x=1");
    expect([r.status, r.headers.location]).toEqual([307, "/v1/key/list/?x=1"]);
  });

  test("WHEN a path has dot segments THEN the redirect to the clean path is 307", async () => {
    const r = await admin.request("GET", "/v1/key/describe/x/../k1");
    expect([r.status, r.headers.location]).toEqual([307, "/v1/key/describe/k1"]);
  });

  test("WHEN trailing data follows the JSON object THEN it is ignored as Go's json.Decoder does", async () => {
    const plaintext = Buffer.from("hello").toString("base64");
    const r = await admin.request(
      "POST",
      "/v1/key/encrypt/k1",
      `{"plaintext":"${plaintext}"} trailing garbage`,
    );
    expect(r.status).toBe(200);
    expect(Object.keys(r.json())).toEqual(["ciphertext"]);
  });

  test("WHEN data follows even a literal (`nullx`) THEN it is ignored too (an empty plaintext is encrypted), as the KES binary does", async () => {
    const r = await admin.request("POST", "/v1/key/encrypt/k1", "nullx");
    expect(r.status).toBe(200);
  });

  test("fails when the body is only whitespace", async () => {
    const r = await admin.request("POST", "/v1/key/encrypt/k1", "   ");
    expect([r.status, r.body.toString()]).toEqual([400, kesError("invalid request body")]);
  });

  test("fails when an HTTP/2 generate request has an empty body of unknown length (no Content-Length)", async () => {
    const req = admin.session.request({ ":method": "PUT", ":path": "/v1/key/generate/k1" });
    const status = new Promise<number>((resolve) =>
      req.once("response", (h) => resolve(Number(h[":status"]))),
    );
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    const ended = new Promise((r) => req.once("end", r));
    req.end(); // an empty DATA frame with END_STREAM
    expect(await status).toBe(400);
    await ended;
    expect(body).toBe(kesError("invalid request body"));
  });

  test("GIVEN no body at all (END_STREAM on the headers) or Content-Length 0 WHEN generating THEN a data key is made", async () => {
    const req = admin.session.request(
      { ":method": "PUT", ":path": "/v1/key/generate/k1" },
      { endStream: true },
    );
    const status = await new Promise<number>((resolve) =>
      req.once("response", (h) => resolve(Number(h[":status"]))),
    );
    req.resume();
    expect(status).toBe(200);
    const r = await admin.request("PUT", "/v1/key/generate/k1", undefined, { "content-length": 0 });
    expect(r.status).toBe(200);
  });

  test("GIVEN `*` or a raw space in an HTTP/2 :path (reset by Node's HTTP/2 layer before the server sees it) WHEN the session goes on THEN it still serves", async () => {
    for (const p of ["*", "/v1/key/describe/a b"]) {
      const req = admin.session.request({ ":method": "GET", ":path": p });
      const outcome = await new Promise<string>((resolve) => {
        req.once("response", (h) => resolve(String(h[":status"])));
        req.once("error", (e: Error & { code?: string }) => resolve(e.code ?? "error"));
      });
      expect(["400", "ERR_HTTP2_STREAM_ERROR"]).toContain(outcome);
    }
    expect((await admin.request("GET", "/v1/key/describe/k1")).status).toBe(200);
  });
});
