/**
 * The key server's v1 API over HTTP/2 with API-key client certificates: every endpoint's success shape and
 * every error's status and message, against an in-process server with the memory keystore.
 */
import { newApiKey } from "../../../scripts/testbed/kes";
import { Client, kesError, startTestServer, type TestServer } from "./server-helpers";

const minio = newApiKey();
const stranger = newApiKey();
let srv: TestServer;
let admin: Client;
let m: Client;
let s: Client;

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64");

beforeAll(async () => {
  srv = await startTestServer({
    policies: {
      minio: {
        allow: [
          "/v1/key/create/minio-*",
          "/v1/key/generate/minio-*",
          "/v1/key/decrypt/minio-*",
          "/v1/key/describe/*",
          "/v1/key/list/*",
          "/v1/status",
        ],
        deny: ["/v1/key/generate/minio-secret*"],
        identities: [minio.identity],
      },
      ops: { allow: ["/v1/metrics"], deny: [], identities: [] },
    },
  });
  admin = new Client(srv.port, srv.caPem, srv.admin);
  m = new Client(srv.port, srv.caPem, minio);
  s = new Client(srv.port, srv.caPem, stranger);
});

afterAll(async () => {
  await Promise.all([admin?.close(), m?.close(), s?.close()]);
  await srv?.stop();
});

afterEach(async () => {
  // the server keeps serving after every error
  const r = await admin.request("GET", "/v1/status");
  expect(r.status).toBe(200);
});

describe("server endpoints", () => {
  test("GIVEN any client WHEN GET /version THEN 200 with version and commit", async () => {
    const r = await admin.request("GET", "/version");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(Object.keys(r.json())).toEqual(["version", "commit"]);
    expect(r.body.toString().endsWith("}\n")).toBe(true);
  });

  test("GIVEN the admin WHEN GET /v1/status THEN the status shape carries a keystore latency of at least 1 ms", async () => {
    const j = (await admin.request("GET", "/v1/status")).json();
    expect(Object.keys(j)).toEqual([
      "version",
      "os",
      "arch",
      "uptime",
      "num_cpu",
      "num_cpu_used",
      "mem_heap_used",
      "mem_stack_used",
      "keystore_latency",
    ]);
    expect(j.keystore_latency).toBeGreaterThanOrEqual(1);
  });

  test("GIVEN the admin WHEN GET /v1/ready THEN 200 with an empty body", async () => {
    const r = await admin.request("GET", "/v1/ready");
    expect([r.status, r.headers["content-length"], r.body.length]).toEqual([200, "0", 0]);
  });

  test("GIVEN the admin WHEN GET /v1/api THEN every route is described with method, path, max_body and timeout", async () => {
    const j = (await admin.request("GET", "/v1/api")).json();
    expect(j).toHaveLength(22);
    expect(j).toContainEqual({ method: "PUT", path: "/v1/key/generate/", max_body: 1_000_000, timeout: 15 });
    expect(j).toContainEqual({ method: "GET", path: "/v1/log/audit", max_body: 0, timeout: 0 });
  });

  test("GIVEN the admin WHEN GET /v1/metrics THEN Prometheus text with KES' families comes back", async () => {
    const r = await admin.request("GET", "/v1/metrics");
    expect(r.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = r.body.toString();
    expect(text).toContain('kes_http_request_success{code="200"}');
    expect(text).toContain("# TYPE kes_http_response_time histogram");
    expect(text).not.toMatch(/# TYPE (\S+) \w+\n(?!\1)/);
  });
});

describe("key endpoints", () => {
  test("GIVEN a new name WHEN POST /v1/key/create THEN 200 with Content-Length 0", async () => {
    const r = await admin.request("POST", "/v1/key/create/k-create");
    expect([r.status, r.headers["content-length"], r.body.length]).toEqual([200, "0", 0]);
  });

  test("GIVEN PUT instead of POST WHEN creating THEN it is accepted as well", async () => {
    expect((await admin.request("PUT", "/v1/key/create/k-put")).status).toBe(200);
  });

  test("fails when the key already exists", async () => {
    await admin.request("POST", "/v1/key/create/k-twice");
    const r = await admin.request("POST", "/v1/key/create/k-twice");
    expect([r.status, r.headers["content-type"], r.body.toString()]).toEqual([
      400,
      "application/json",
      kesError("key already exists"),
    ]);
  });

  test.each([["bad..name"], ["-lead"], ["a".repeat(81)], ["_"], ["%C3%BC"], ["a%2Fb"]])(
    "fails when the key name %j is invalid",
    async (name) => {
      const r = await admin.request("POST", `/v1/key/create/${name}`);
      const decoded = decodeURIComponent(name);
      expect([r.status, r.body.toString()]).toEqual([
        400,
        kesError(`key name '${decoded}' is empty, too long or contains invalid characters`),
      ]);
    },
  );

  test("GIVEN a created key WHEN described THEN name, algorithm, created_at and created_by (the admin) come back", async () => {
    await admin.request("POST", "/v1/key/create/k-desc");
    const j = (await admin.request("GET", "/v1/key/describe/k-desc")).json();
    expect(j).toEqual({
      name: "k-desc",
      algorithm: "AES256",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      created_by: srv.admin.identity,
    });
  });

  test("fails when describing a missing key", async () => {
    const r = await admin.request("GET", "/v1/key/describe/nope");
    expect([r.status, r.body.toString()]).toEqual([404, kesError("key does not exist")]);
  });

  test("GIVEN keys WHEN listing with %2A THEN all names come back sorted in one page", async () => {
    await admin.request("POST", "/v1/key/create/list-b");
    await admin.request("POST", "/v1/key/create/list-a");
    const j = (await admin.request("GET", "/v1/key/list/list-%2A")).json();
    expect(j).toEqual({ names: ["list-a", "list-b"] });
  });

  test("GIVEN the subtree root without slash WHEN listing THEN 307 to the slash form (Go 1.22 ServeMux, as the KES test bed binary)", async () => {
    const r = await admin.request("GET", "/v1/key/list");
    expect([r.status, r.headers.location]).toEqual([307, "/v1/key/list/"]);
  });

  test("fails when the listing pattern is invalid", async () => {
    const r = await admin.request("GET", "/v1/key/list/a*b");
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("listing pattern 'a*b' is empty, too long or is invalid"),
    ]);
  });

  test("GIVEN a key WHEN generating with a context and decrypting it THEN the data key comes back (76-byte ciphertext)", async () => {
    await admin.request("POST", "/v1/key/create/k-gen");
    const context = b64('{"bucket":"bucket/object"}');
    const g = (
      await admin.request(
        "POST",
        "/v1/key/generate/k-gen",
        { context },
        { "content-type": "application/json" },
      )
    ).json();
    expect(Buffer.from(g.plaintext, "base64")).toHaveLength(32);
    expect(Buffer.from(g.ciphertext, "base64")).toHaveLength(76);
    const d = await admin.request("POST", "/v1/key/decrypt/k-gen", { ciphertext: g.ciphertext, context });
    expect([d.status, d.json()]).toEqual([200, { plaintext: g.plaintext }]);
  });

  test("GIVEN no body (Content-Length 0) WHEN generating THEN a data key is made without context", async () => {
    await admin.request("POST", "/v1/key/create/k-gen0");
    const r = await admin.request("POST", "/v1/key/generate/k-gen0", undefined, { "content-length": 0 });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json())).toEqual(["plaintext", "ciphertext"]);
  });

  test("fails when decrypting with the wrong context", async () => {
    await admin.request("POST", "/v1/key/create/k-ctx");
    const g = (await admin.request("POST", "/v1/key/generate/k-ctx", { context: b64("a") })).json();
    const r = await admin.request("POST", "/v1/key/decrypt/k-ctx", {
      ciphertext: g.ciphertext,
      context: b64("b"),
    });
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("decryption failed: ciphertext is not authentic"),
    ]);
  });

  test("fails when the ciphertext is truncated to 28 bytes", async () => {
    await admin.request("POST", "/v1/key/create/k-trunc");
    const g = (await admin.request("POST", "/v1/key/generate/k-trunc", {})).json();
    const short = b64(Buffer.from(g.ciphertext, "base64").subarray(0, 28));
    const r = await admin.request("POST", "/v1/key/decrypt/k-trunc", { ciphertext: short });
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("decryption failed: ciphertext is not authentic"),
    ]);
  });

  test("fails when one ciphertext byte is flipped", async () => {
    await admin.request("POST", "/v1/key/create/k-tamper");
    const g = (await admin.request("POST", "/v1/key/generate/k-tamper", {})).json();
    const ct = Buffer.from(g.ciphertext, "base64");
    ct[3] ^= 1;
    const r = await admin.request("POST", "/v1/key/decrypt/k-tamper", { ciphertext: b64(ct) });
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("decryption failed: ciphertext is not authentic"),
    ]);
  });

  test("GIVEN a plaintext WHEN encrypted and decrypted THEN it round-trips", async () => {
    await admin.request("POST", "/v1/key/create/k-enc");
    const e = (
      await admin.request("POST", "/v1/key/encrypt/k-enc", { plaintext: b64("hello"), context: b64("ctx") })
    ).json();
    const d = (
      await admin.request("POST", "/v1/key/decrypt/k-enc", { ciphertext: e.ciphertext, context: b64("ctx") })
    ).json();
    expect(Buffer.from(d.plaintext, "base64").toString()).toBe("hello");
  });

  test("GIVEN a key WHEN computing an HMAC twice THEN the same 32-byte MAC comes back", async () => {
    await admin.request("POST", "/v1/key/create/k-mac");
    const a = (await admin.request("PUT", "/v1/key/hmac/k-mac", { message: b64("root access key") })).json();
    const b = (await admin.request("PUT", "/v1/key/hmac/k-mac", { message: b64("root access key") })).json();
    expect(a).toEqual(b);
    expect(Buffer.from(a.hmac, "base64")).toHaveLength(32);
  });

  test("GIVEN 32 known bytes WHEN imported THEN a ciphertext made with them decrypts through the server", async () => {
    const r = await admin.request("POST", "/v1/key/import/k-imp", {
      key: b64(Buffer.alloc(32)),
      cipher: "AES256",
    });
    expect(r.status).toBe(200);
    // KES-PROTOCOL §4.2 test vector: key 32x00, AAD {"bucket":"bucket/object"}
    const ciphertext =
      "Tq5IFqwCstqmR5cBrIsY4gKMfRrmHwrm0OC9uXhJHBAe6Y4p5ryfb1EFroxjfJE+AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";
    const d = await admin.request("POST", "/v1/key/decrypt/k-imp", {
      ciphertext,
      context: b64('{"bucket":"bucket/object"}'),
    });
    expect([d.status, d.json()]).toEqual([200, { plaintext: b64(Buffer.alloc(32)) }]);
  });

  test("fails when the import key is not base64", async () => {
    const r = await admin.request("POST", "/v1/key/import/k-imp-b64", {
      key: "not base64!",
      cipher: "AES256",
    });
    expect([r.status, r.body.toString()]).toEqual([400, kesError("invalid import key request body")]);
  });

  test("fails when the import cipher is unknown", async () => {
    const r = await admin.request("POST", "/v1/key/import/k-imp-alg", {
      key: b64(Buffer.alloc(32)),
      cipher: "DES",
    });
    expect([r.status, r.body.toString()]).toEqual([406, kesError("algorithm 'DES' is not supported")]);
  });

  test("fails when the import key has the wrong size", async () => {
    const r = await admin.request("POST", "/v1/key/import/k-imp-size", {
      key: b64(Buffer.alloc(16)),
      cipher: "AES256",
    });
    expect([r.status, r.body.toString()]).toEqual([406, kesError("invalid key size for 'AES256'")]);
  });

  test("fails when the body is malformed JSON", async () => {
    await admin.request("POST", "/v1/key/create/k-badjson");
    const r = await admin.request("POST", "/v1/key/encrypt/k-badjson", "{not json");
    expect([r.status, r.body.toString()]).toEqual([400, kesError("invalid request body")]);
  });

  test("fails when a base64 field is unpadded", async () => {
    await admin.request("POST", "/v1/key/create/k-unpadded");
    const r = await admin.request("POST", "/v1/key/encrypt/k-unpadded", { plaintext: "aGk" });
    expect([r.status, r.body.toString()]).toEqual([400, kesError("invalid request body")]);
  });

  test("fails when the body is larger than 1,000,000 bytes", async () => {
    await admin.request("POST", "/v1/key/create/k-big");
    const body = JSON.stringify({ plaintext: b64(Buffer.alloc(760_000)) });
    expect(body.length).toBeGreaterThan(1_000_000);
    const r = await admin.request("POST", "/v1/key/encrypt/k-big", body);
    expect([r.status, r.body.toString()]).toEqual([400, kesError("invalid request body")]);
  });

  test("GIVEN a body just under the limit WHEN encrypting THEN it is accepted", async () => {
    await admin.request("POST", "/v1/key/create/k-fits");
    const r = await admin.request("POST", "/v1/key/encrypt/k-fits", {
      plaintext: b64(Buffer.alloc(749_000)),
    });
    expect(r.status).toBe(200);
  });

  test("GIVEN a key WHEN deleted THEN describe answers 404", async () => {
    await admin.request("POST", "/v1/key/create/k-del");
    const r = await admin.request("DELETE", "/v1/key/delete/k-del");
    expect([r.status, r.body.length]).toEqual([200, 0]);
    expect((await admin.request("GET", "/v1/key/describe/k-del")).status).toBe(404);
  });

  test("fails when generating with a missing key (MinIO then creates it)", async () => {
    const r = await admin.request("POST", "/v1/key/generate/minio-missing", {});
    expect([r.status, r.body.toString()]).toEqual([404, kesError("key does not exist")]);
  });
});

describe("misbehaving clients", () => {
  test("GIVEN streams reset mid-request and mid-body WHEN the server handles them THEN it keeps serving", async () => {
    await admin.request("POST", "/v1/key/create/k-reset");
    for (let i = 0; i < 50; i++) {
      const r1 = admin.session.request({ ":method": "POST", ":path": "/v1/key/generate/k-reset" });
      r1.on("error", () => undefined);
      r1.close(8);
      const r2 = admin.session.request({
        ":method": "POST",
        ":path": "/v1/key/encrypt/k-reset",
        "content-length": 1000,
      });
      r2.on("error", () => undefined);
      r2.write('{"plaintext":"');
      setImmediate(() => r2.close(8));
    }
    await new Promise((r) => setTimeout(r, 200));
    const g = await admin.request("POST", "/v1/key/generate/k-reset", {});
    expect(g.status).toBe(200);
  });
});

describe("routing and methods", () => {
  test("fails when the method does not match: 405 with the Accept header", async () => {
    const r = await admin.request("DELETE", "/v1/key/create/x");
    expect([r.status, r.headers.accept, r.body.toString()]).toEqual([
      405,
      "PUT",
      kesError("received method 'DELETE' expected 'PUT'"),
    ]);
  });

  test("fails when HEAD is sent to a GET route", async () => {
    const r = await admin.request("HEAD", "/v1/status");
    expect([r.status, r.headers.accept]).toEqual([405, "GET"]);
  });

  test("fails when POST is sent to a GET route", async () => {
    const r = await admin.request("POST", "/v1/key/describe/x");
    expect([r.status, r.body.toString()]).toEqual([405, kesError("received method 'POST' expected 'GET'")]);
  });

  test("fails when the path is unknown: Go's plain-text 404", async () => {
    const r = await admin.request("GET", "/v1/key/rotate/x");
    expect([r.status, r.headers["content-type"], r.body.toString()]).toEqual([
      404,
      "text/plain; charset=utf-8",
      "404 page not found\n",
    ]);
  });
});

describe("policies", () => {
  test("GIVEN the minio identity WHEN creating and generating with an allowed prefix THEN both succeed", async () => {
    expect((await m.request("POST", "/v1/key/create/minio-default")).status).toBe(200);
    expect((await m.request("POST", "/v1/key/generate/minio-default", {})).status).toBe(200);
  });

  test("fails when the path is outside the policy", async () => {
    const r = await m.request("DELETE", "/v1/key/delete/minio-default");
    expect([r.status, r.body.toString()]).toEqual([
      403,
      kesError("not authorized: insufficient permissions"),
    ]);
  });

  test("fails when a deny pattern matches, even though an allow pattern does too", async () => {
    await admin.request("POST", "/v1/key/create/minio-secret-1");
    const r = await m.request("POST", "/v1/key/generate/minio-secret-1", {});
    expect([r.status, r.body.toString()]).toEqual([
      403,
      kesError("not authorized: insufficient permissions"),
    ]);
  });

  test("fails when the identity has no policy", async () => {
    const r = await s.request("GET", "/v1/status");
    expect([r.status, r.body.toString()]).toEqual([
      403,
      kesError("not authorized: insufficient permissions"),
    ]);
  });

  test("GIVEN a policy allowing list/* WHEN listing via the 307 target THEN the normalised path passes the check", async () => {
    const r = await m.request("GET", "/v1/key/list/");
    expect(r.status).toBe(200);
  });

  test("GIVEN the percent-encoded path WHEN checked THEN the policy sees the decoded path", async () => {
    await admin.request("POST", "/v1/key/create/minio-enc");
    expect((await m.request("GET", "/v1/key/describe/minio%2Denc")).status).toBe(200);
  });
});

describe("policy and identity endpoints", () => {
  test("GIVEN a policy WHEN described THEN name, created_at and created_by (admin) come back", async () => {
    const j = (await admin.request("GET", "/v1/policy/describe/minio")).json();
    expect(j).toEqual({ name: "minio", created_at: expect.any(String), created_by: srv.admin.identity });
  });

  test("GIVEN a policy WHEN read THEN allow and deny are objects of empty objects", async () => {
    const j = (await admin.request("GET", "/v1/policy/read/minio")).json();
    expect(j.allow["/v1/key/create/minio-*"]).toEqual({});
    expect(j.deny).toEqual({ "/v1/key/generate/minio-secret*": {} });
  });

  test("GIVEN a policy without deny WHEN read THEN deny is omitted", async () => {
    const j = (await admin.request("GET", "/v1/policy/read/ops")).json();
    expect(Object.keys(j)).toEqual(["name", "allow", "created_at", "created_by"]);
  });

  test("fails when the policy does not exist", async () => {
    const r = await admin.request("GET", "/v1/policy/describe/nope");
    expect([r.status, r.body.toString()]).toEqual([404, kesError("policy does not exist")]);
  });

  test("fails when the policy name is invalid", async () => {
    const r = await admin.request("GET", "/v1/policy/read/a.b");
    expect([r.status, r.body.toString()]).toEqual([
      400,
      kesError("policy name 'a.b' is empty, too long or contains invalid characters"),
    ]);
  });

  test("GIVEN two policies WHEN listed with * THEN both names come back sorted", async () => {
    expect((await admin.request("GET", "/v1/policy/list/%2A")).json()).toEqual({ names: ["minio", "ops"] });
    expect((await admin.request("GET", "/v1/policy/list/o*")).json()).toEqual({ names: ["ops"] });
  });

  test("GIVEN the admin identity WHEN described THEN admin true", async () => {
    const j = (await admin.request("GET", `/v1/identity/describe/${srv.admin.identity}`)).json();
    expect(j).toEqual({ admin: true, created_at: expect.any(String) });
  });

  test("GIVEN an identity with a policy WHEN described THEN its policy name comes back", async () => {
    const j = (await admin.request("GET", `/v1/identity/describe/${minio.identity}`)).json();
    expect(j).toEqual({ policy: "minio", created_at: expect.any(String), created_by: srv.admin.identity });
  });

  test("fails when the identity is unknown", async () => {
    const r = await admin.request("GET", `/v1/identity/describe/${stranger.identity}`);
    expect([r.status, r.body.toString()]).toEqual([404, kesError("identity does not exist")]);
  });

  test("GIVEN identities WHEN listed THEN the admin is included and the list is sorted", async () => {
    const j = (await admin.request("GET", "/v1/identity/list/%2A")).json();
    expect(j).toEqual({ identities: [srv.admin.identity, minio.identity].sort() });
  });

  test("GIVEN the admin WHEN self-describing THEN identity and admin true come back", async () => {
    expect((await admin.request("GET", "/v1/identity/self/describe")).json()).toEqual({
      identity: srv.admin.identity,
      admin: true,
      created_at: expect.any(String),
    });
  });

  test("GIVEN a policy identity WHEN self-describing THEN the client-compatible shape (policy name, allow, deny at top level) comes back", async () => {
    const j = (await m.request("GET", "/v1/identity/self/describe")).json();
    expect(j.identity).toBe(minio.identity);
    expect(j.policy).toBe("minio");
    expect(j.allow["/v1/status"]).toEqual({});
    expect(j.deny).toEqual({ "/v1/key/generate/minio-secret*": {} });
    expect(j.created_by).toBe(srv.admin.identity);
  });

  test("fails when an identity without policy self-describes", async () => {
    const r = await s.request("GET", "/v1/identity/self/describe");
    expect([r.status, r.body.toString()]).toEqual([404, kesError("identity does not exist")]);
  });
});

describe("log streams", () => {
  function subscribe(path: string) {
    const req = admin.session.request({ ":method": "GET", ":path": path });
    const lines: string[] = [];
    let buf = "";
    const headers = new Promise<Record<string, unknown>>((resolve) => req.on("response", resolve));
    req.on("data", (c: Buffer) => {
      buf += c.toString();
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts.filter((l) => l !== ""));
    });
    return { req, lines, headers };
  }

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  test("GIVEN an audit subscriber WHEN a key is created THEN an NDJSON event with path, identity and code arrives at once", async () => {
    const sub = subscribe("/v1/log/audit");
    const h = await sub.headers;
    expect([h[":status"], h["content-type"]]).toEqual([200, "application/x-ndjson"]);
    await admin.request("POST", "/v1/key/create/k-audited");
    await until(() => sub.lines.length > 0);
    const ev = JSON.parse(sub.lines[0]);
    expect(ev.request).toEqual({
      ip: "127.0.0.1",
      path: "/v1/key/create/k-audited",
      identity: srv.admin.identity,
    });
    expect(ev.response.code).toBe(200);
    sub.req.close();
  });

  test("GIVEN an error-log subscriber WHEN a request is denied THEN a {message} event arrives", async () => {
    const sub = subscribe("/v1/log/error");
    expect((await sub.headers)[":status"]).toBe(200);
    await s.request("GET", "/v1/status");
    await until(() => sub.lines.length > 0);
    expect(JSON.parse(sub.lines[0]).message).toContain("access denied");
    sub.req.close();
  });

  test("GIVEN a subscriber that disconnected WHEN events follow THEN the server drops it and keeps serving", async () => {
    const sub = subscribe("/v1/log/audit");
    await sub.headers;
    sub.req.close();
    await new Promise((r) => setTimeout(r, 100));
    expect((await admin.request("POST", "/v1/key/create/k-after-close")).status).toBe(200);
    expect(srv.server.services.audit.stream.size).toBe(0);
  });

  test("GIVEN key operations WHEN audited THEN stdout lines carry no key material", async () => {
    await admin.request("POST", "/v1/key/create/k-secret-check");
    const g = (await admin.request("POST", "/v1/key/generate/k-secret-check", {})).json();
    const all = srv.auditLines.join("") + srv.logLines.join("");
    expect(all).toContain("/v1/key/generate/k-secret-check");
    expect(all).not.toContain(g.plaintext);
    expect(all).not.toContain(srv.admin.apiKey);
  });
});
