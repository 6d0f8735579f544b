/**
 * The two request paths of the server (HTTP/2 on the core stream API, HTTP/1.1 fallback) answer alike:
 * status, Content-Type, Content-Length, Accept on 405, bodies, body limits, and NDJSON log streams that
 * stream and clean up when the client leaves.
 */
import * as http2 from "node:http2";
import * as https from "node:https";
import type * as tls from "node:tls";
import { apiKeyCertificate } from "../../../scripts/testbed/kes";
import { waitUntil } from "../../../scripts/testbed/process";
import { Client, startTestServer, type TestServer } from "./server-helpers";

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

const PICK = ["content-type", "content-length", "accept", "x-content-type-options", "location"];
const pick = (h: Record<string, unknown>) =>
  Object.fromEntries(PICK.filter((k) => h[k] !== undefined).map((k) => [k, String(h[k])]));

let srv: TestServer;
let h2: Client;

beforeAll(async () => {
  srv = await startTestServer();
  h2 = new Client(srv.port, srv.caPem, srv.admin);
  expect((await h2.request("POST", "/v1/key/create/k1")).status).toBe(200);
});

afterAll(async () => {
  await h2?.close();
  await srv?.stop();
});

function h1Options(method: string, path: string): https.RequestOptions & tls.ConnectionOptions {
  const { certPem, keyPem } = apiKeyCertificate(srv.admin);
  return {
    host: "127.0.0.1",
    port: srv.port,
    method,
    path,
    ca: srv.caPem,
    servername: "localhost",
    cert: certPem,
    key: keyPem,
    ALPNProtocols: ["http/1.1"],
    agent: false,
  };
}

function viaH1(method: string, path: string, body?: string): Promise<Answer & { version: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(h1Options(method, path), (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: pick(res.headers),
          body: text,
          version: res.httpVersion,
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function viaH2(method: string, path: string, body?: string): Promise<Answer> {
  const r = await h2.request(method, path, body);
  return { status: r.status, headers: pick(r.headers), body: r.body.toString("utf8") };
}

describe("HTTP/2 and HTTP/1.1 alike", () => {
  test.each([
    ["a key description (JSON)", "GET", "/v1/key/describe/k1", undefined],
    ["an empty 200 body", "POST", "/v1/key/create/k2", undefined],
    ["a KES error", "GET", "/v1/key/describe/none", undefined],
    ["a 405 with Accept", "GET", "/v1/key/create/k3", undefined],
    ["a text 404", "GET", "/nowhere", undefined],
    ["a 307 redirect", "GET", "/v1/key/describe/../describe/k1", undefined],
    [
      "a body over the route's limit",
      "POST",
      "/v1/key/encrypt/k1",
      JSON.stringify({ plaintext: "A".repeat(2 << 20) }),
    ],
    ["a bad JSON body", "POST", "/v1/key/decrypt/k1", "{"],
  ])(
    "GIVEN %s WHEN asked over both protocols THEN status, headers and body are the same",
    async (_, method, path, body) => {
      const a = await viaH2(method, path, body);
      const b = await viaH1(method, path.replace("/k2", "/k2-h1"), body);
      expect(b.version).toBe("1.1");
      expect({ status: b.status, headers: b.headers, body: b.body }).toEqual(a);
    },
  );

  test("GIVEN a wrong method WHEN asked over HTTP/2 THEN 405 names the expected method in Accept", async () => {
    const a = await viaH2("GET", "/v1/key/create/k3");
    expect([a.status, a.headers.accept, a.headers["content-type"]]).toEqual([405, "PUT", "application/json"]);
  });

  test("GIVEN a generate request over HTTP/1.1 WHEN answered THEN its ciphertext decrypts over HTTP/2", async () => {
    const g = await viaH1("POST", "/v1/key/generate/k1", "{}");
    const { plaintext, ciphertext } = JSON.parse(g.body);
    const d = await viaH2("POST", "/v1/key/decrypt/k1", JSON.stringify({ ciphertext }));
    expect([g.status, g.headers["content-type"], JSON.parse(d.body).plaintext]).toEqual([
      200,
      "application/json",
      plaintext,
    ]);
  });
});

describe("log streams on both protocols", () => {
  test("GIVEN an HTTP/1.1 audit stream WHEN a key is created THEN its event arrives at once, and the subscriber is removed when the client leaves", async () => {
    const audit = srv.server.services.audit.stream;
    let text = "";
    const req = https.request(h1Options("GET", "/v1/log/audit"));
    const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      req.on("response", resolve);
      req.on("error", reject);
      req.end();
    });
    res.on("data", (c) => (text += c));
    expect([res.statusCode, res.headers["content-type"]]).toEqual([200, "application/x-ndjson"]);
    await waitUntil("subscriber", async () => audit.localSize === 1, { timeoutMs: 2000, intervalMs: 20 });
    await viaH2("POST", "/v1/key/create/streamed-h1");
    await waitUntil("event", async () => text.includes('"/v1/key/create/streamed-h1"'), {
      timeoutMs: 2000,
      intervalMs: 20,
    });
    req.destroy();
    await waitUntil("cleanup", async () => audit.localSize === 0, { timeoutMs: 2000, intervalMs: 20 });
  });

  test("GIVEN an HTTP/2 error stream WHEN the stream is reset THEN the subscriber is removed", async () => {
    const errors = srv.server.services.log.stream;
    const stream = h2.session.request({ ":method": "GET", ":path": "/v1/log/error" });
    const head = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("response", resolve));
    expect([head[":status"], head["content-type"]]).toEqual([200, "application/x-ndjson"]);
    await waitUntil("subscriber", async () => errors.localSize === 1, { timeoutMs: 2000, intervalMs: 20 });
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await waitUntil("cleanup", async () => errors.localSize === 0, { timeoutMs: 2000, intervalMs: 20 });
  });
});
