/**
 * TLS behaviour of the key server: client-certificate rules, resumed sessions, TLS 1.2 with Ed25519,
 * HTTP/1.1 fallback. The chained-certificate case uses the openssl CLI to sign a leaf with a non-CA issuer.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type * as tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { createSelfSignedCertificate, generateCertificateKey } from "../../../runtime/src/auth/certificate";
import { newApiKey } from "../../../scripts/testbed/kes";
import { identityOfPem } from "../../../runtime/src/auth/identity";
import { Client, kesError, startTestServer, type TestServer } from "./server-helpers";

let srv: TestServer;
const user = newApiKey();

beforeAll(async () => {
  srv = await startTestServer({
    policies: { p: { allow: ["/v1/status"], deny: [], identities: [user.identity] } },
  });
});

afterAll(async () => {
  await srv?.stop();
});

async function once(
  credential: ConstructorParameters<typeof Client>[2],
  method: string,
  p: string,
  extra: tls.ConnectionOptions = {},
) {
  const c = new Client(srv.port, srv.caPem, credential, extra);
  try {
    return await c.request(method, p);
  } finally {
    await c.close();
  }
}

describe("client certificates", () => {
  test("fails when no client certificate is sent", async () => {
    const r = await once(undefined, "GET", "/v1/status");
    expect([r.status, r.body.toString()]).toEqual([400, kesError("tls: client certificate is required")]);
  });

  test("GIVEN no client certificate WHEN GET /version THEN it is served (no identity needed)", async () => {
    expect((await once(undefined, "GET", "/version")).status).toBe(200);
  });

  test("fails when two non-CA certificates are sent", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-chain-"));
    try {
      const f = (n: string) => path.join(dir, n);
      const run = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
      // issuer: not a CA (basicConstraints CA:FALSE) and without keyUsage, so OpenSSL still links the chain
      run([
        "req",
        "-x509",
        "-newkey",
        "ed25519",
        "-nodes",
        "-keyout",
        f("issuer.key"),
        "-out",
        f("issuer.crt"),
        "-subj",
        "/CN=issuer",
        "-days",
        "1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ]);
      run([
        "req",
        "-new",
        "-newkey",
        "ed25519",
        "-nodes",
        "-keyout",
        f("leaf.key"),
        "-out",
        f("leaf.csr"),
        "-subj",
        "/CN=leaf",
      ]);
      fs.writeFileSync(f("ext.cnf"), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n");
      run([
        "x509",
        "-req",
        "-in",
        f("leaf.csr"),
        "-CA",
        f("issuer.crt"),
        "-CAkey",
        f("issuer.key"),
        "-CAcreateserial",
        "-out",
        f("leaf.crt"),
        "-days",
        "1",
        "-extfile",
        f("ext.cnf"),
      ]);
      const certPem = fs.readFileSync(f("leaf.crt"), "utf8") + fs.readFileSync(f("issuer.crt"), "utf8");
      const r = await once({ certPem, keyPem: fs.readFileSync(f("leaf.key"), "utf8") }, "GET", "/v1/status");
      expect([r.status, r.body.toString()]).toEqual([
        400,
        kesError("tls: received more than one client certificate"),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN an expired client certificate WHEN calling THEN it is accepted (not verified, as MinIO's may be expired)", async () => {
    const key = generateCertificateKey("ed25519");
    const cert = createSelfSignedCertificate({
      privateKey: key,
      commonName: "old",
      notBefore: new Date("2019-01-01T00:00:00Z"),
      validityMs: 86_400_000,
    });
    const r = await once(
      { certPem: cert.pem, keyPem: key.export({ type: "pkcs8", format: "pem" }).toString() },
      "GET",
      "/v1/identity/self/describe",
    );
    // identified (the handler's 404 for an identity without policy), not rejected by TLS
    expect([r.status, r.body.toString()]).toEqual([404, kesError("identity does not exist")]);
    expect(new X509Certificate(cert.pem).validTo).toContain("2019");
  });
});

describe("sessions and protocols", () => {
  test.each(["TLSv1.3", "TLSv1.2"] as const)(
    "GIVEN a resumed %s session WHEN self-describing THEN the identity is the same as on the full handshake",
    async (version) => {
      const first = new Client(srv.port, srv.caPem, srv.admin, { maxVersion: version, minVersion: version });
      let session: Buffer | undefined;
      first.socket.on("session", (s: Buffer) => (session = s));
      const a = (await first.request("GET", "/v1/identity/self/describe")).json();
      await first.close();
      expect(session).toBeDefined();
      const second = new Client(srv.port, srv.caPem, srv.admin, {
        maxVersion: version,
        minVersion: version,
        session,
      });
      try {
        const b = (await second.request("GET", "/v1/identity/self/describe")).json();
        expect(second.socket.isSessionReused()).toBe(true);
        expect(b.identity).toBe(a.identity);
        expect(b.identity).toBe(srv.admin.identity);
        expect((await second.request("GET", "/v1/status")).status).toBe(200);
      } finally {
        await second.close();
      }
    },
  );

  test("GIVEN TLS 1.2 and an Ed25519 API-key certificate WHEN calling THEN the policy identity is recognised", async () => {
    const r = await once(user, "GET", "/v1/status", { maxVersion: "TLSv1.2" });
    expect(r.status).toBe(200);
  });

  test("fails when the client offers only TLS 1.1", async () => {
    await expect(
      once(srv.admin, "GET", "/version", { maxVersion: "TLSv1.1", minVersion: "TLSv1.1" }),
    ).rejects.toThrow();
  });

  test("GIVEN an HTTP/1.1-only client WHEN calling THEN the server answers over HTTP/1.1 with the same error format", async () => {
    const { apiKeyCertificate } = await import("../../../scripts/testbed/kes");
    const { certPem, keyPem } = apiKeyCertificate(srv.admin);
    const res = await new Promise<{ status: number; version: string; body: string }>((resolve, reject) => {
      const options: https.RequestOptions & tls.ConnectionOptions = {
        host: "127.0.0.1",
        port: srv.port,
        path: "/v1/key/describe/none",
        ca: srv.caPem,
        servername: "localhost",
        cert: certPem,
        key: keyPem,
        ALPNProtocols: ["http/1.1"],
        agent: false,
      };
      const req = https.request(options, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, version: res.httpVersion, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(res).toEqual({ status: 404, version: "1.1", body: kesError("key does not exist") });
  });
});

describe("tls.auth on", () => {
  test("GIVEN client verification against a CA WHEN a CA-signed client calls THEN it is served with the leaf's identity; a self-signed API-key certificate is refused at the handshake", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-ca-"));
    let verifying: TestServer | undefined;
    try {
      const f = (n: string) => path.join(dir, n);
      const run = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
      run([
        "req",
        "-x509",
        "-newkey",
        "ed25519",
        "-nodes",
        "-keyout",
        f("ca.key"),
        "-out",
        f("ca.crt"),
        "-subj",
        "/CN=test-ca",
        "-days",
        "1",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
      ]);
      run([
        "req",
        "-new",
        "-newkey",
        "ed25519",
        "-nodes",
        "-keyout",
        f("c.key"),
        "-out",
        f("c.csr"),
        "-subj",
        "/CN=client",
      ]);
      fs.writeFileSync(
        f("ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
      );
      run([
        "x509",
        "-req",
        "-in",
        f("c.csr"),
        "-CA",
        f("ca.crt"),
        "-CAkey",
        f("ca.key"),
        "-CAcreateserial",
        "-out",
        f("c.crt"),
        "-days",
        "1",
        "-extfile",
        f("ext.cnf"),
      ]);
      const certPem = fs.readFileSync(f("c.crt"), "utf8");
      const id = identityOfPem(certPem);
      verifying = await startTestServer({
        verifyCa: fs.readFileSync(f("ca.crt"), "utf8"),
        policies: { p: { allow: ["/v1/status"], deny: [], identities: [id] } },
      });
      const ok = new Client(verifying.port, verifying.caPem, {
        certPem,
        keyPem: fs.readFileSync(f("c.key"), "utf8"),
      });
      try {
        expect((await ok.request("GET", "/v1/status")).status).toBe(200);
        expect((await ok.request("GET", "/v1/identity/self/describe")).json().identity).toBe(id);
      } finally {
        await ok.close();
      }
      const refused = new Client(verifying.port, verifying.caPem, newApiKey());
      try {
        await expect(refused.request("GET", "/v1/status")).rejects.toThrow(
          /without a response|ECONNRESET|alert|socket/,
        );
      } finally {
        await refused.close();
      }
    } finally {
      await verifying?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
