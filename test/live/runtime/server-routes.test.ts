/**
 * Route settings from the config's `api` section, live: a per-route timeout resets a stream whose request
 * never completes (no HTTP error, as KES' write deadline), and skip_auth serves a route without identity.
 */
import { Client, startTestServer, type TestServer } from "./server-helpers";

let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({
    api: {
      "/v1/key/encrypt/": { skipAuth: false, timeoutMs: 300 },
      "/v1/ready": { skipAuth: true, timeoutMs: 0 },
    },
  });
});

afterAll(async () => {
  await srv?.stop();
});

test("GIVEN a 300 ms route timeout WHEN the body never completes THEN the stream is reset and the server keeps serving", async () => {
  const c = new Client(srv.port, srv.caPem, srv.admin);
  try {
    await c.request("POST", "/v1/key/create/k-slow");
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = c.session.request({
        ":method": "POST",
        ":path": "/v1/key/encrypt/k-slow",
        "content-length": 100,
      });
      req.write('{"plaintext":');
      req.on("response", (h) => resolve(`response ${h[":status"]}`));
      req.on("close", () => resolve(`closed ${req.rstCode}`));
      req.on("error", () => undefined);
    });
    const elapsed = Date.now() - started;
    expect(outcome).toBe("closed 8"); // NGHTTP2_CANCEL
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
    expect((await c.request("GET", "/v1/status")).status).toBe(200);
  } finally {
    await c.close();
  }
});

test("GIVEN skip_auth on /v1/ready WHEN a client without certificate asks THEN it is served", async () => {
  const c = new Client(srv.port, srv.caPem, undefined);
  try {
    expect((await c.request("GET", "/v1/ready")).status).toBe(200);
    expect((await c.request("GET", "/v1/status")).status).toBe(400);
  } finally {
    await c.close();
  }
});
