import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  createSelfSignedCertificate,
  generateCertificateKey,
} from "../../../../runtime/src/auth/certificate";
import { identityOfApiKey, identityOfPem, newApiKey } from "../../../../runtime/src/auth/identity";
import { checkServerCertificate, loadConfigFile, resolveIdentity } from "../../../../runtime/src/config/load";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-load-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function serverFiles(withSan: boolean): { key: string; cert: string } {
  const key = generateCertificateKey("ecdsa-p256");
  const cert = createSelfSignedCertificate({
    privateKey: key,
    commonName: "s",
    ...(withSan ? { dnsNames: ["localhost"] } : {}),
  });
  const k = path.join(dir, `s-${withSan}.key`);
  const c = path.join(dir, `s-${withSan}.crt`);
  fs.writeFileSync(k, key.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(c, cert.pem);
  return { key: k, cert: c };
}

describe("resolveIdentity", () => {
  test("GIVEN a certificate file WHEN resolved THEN the identity of its public key is returned", () => {
    const cert = createSelfSignedCertificate({
      privateKey: generateCertificateKey("ed25519"),
      commonName: "c",
    }).pem;
    const file = path.join(dir, "c.crt");
    fs.writeFileSync(file, cert);
    expect(resolveIdentity({ kind: "cert", path: file }, "policy.p.identities[0]")).toBe(identityOfPem(cert));
  });

  test("GIVEN an API key WHEN resolved THEN its identity is returned", () => {
    const key = newApiKey();
    expect(resolveIdentity({ kind: "apiKey", key }, "admin.identity")).toBe(identityOfApiKey(key));
  });

  test("fails when the certificate file does not exist", () => {
    expect(() =>
      resolveIdentity({ kind: "cert", path: path.join(dir, "nope.crt") }, "policy.p.identities[0]"),
    ).toThrow(`policy.p.identities[0].cert: cannot read certificate "${path.join(dir, "nope.crt")}": ENOENT`);
  });

  test("fails when the API key is malformed, without echoing it", () => {
    let message = "";
    try {
      resolveIdentity({ kind: "apiKey", key: "kes:v1:c2VjcmV0" }, "admin.identity");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^admin\.identity\.api_key: invalid api key: /);
    expect(message).not.toContain("c2VjcmV0");
  });
});

describe("checkServerCertificate", () => {
  test("fails when the server certificate has no SAN", () => {
    const { cert } = serverFiles(false);
    expect(() => checkServerCertificate(fs.readFileSync(cert))).toThrow(
      "tls.cert: the server certificate has no DNS or IP subject alternative name: add one (e.g. --dns localhost --ip 127.0.0.1)",
    );
  });

  test("fails when the file is not a certificate", () => {
    expect(() => checkServerCertificate("not a pem")).toThrow(/^tls\.cert: not a PEM certificate: /);
  });
});

describe("loadConfigFile", () => {
  test("GIVEN a file with certificate identities WHEN loaded THEN TLS files are read and identities resolved", () => {
    const { key, cert } = serverFiles(true);
    const admin = newApiKey();
    const file = path.join(dir, "ok.yml");
    fs.writeFileSync(
      file,
      `admin:\n  identity:\n    api_key: \${ADMIN_KEY}\ntls:\n  key: ${key}\n  cert: ${cert}\npolicy:\n  p:\n    allow: [/v1/status]\n    identities:\n      - cert: ${cert}\nkeystore:\n  fs:\n    path: ${dir}/keys\n`,
    );
    const loaded = loadConfigFile(file, { ADMIN_KEY: admin });
    expect(loaded.admin).toBe(identityOfApiKey(admin));
    expect(loaded.policies.p.identities).toEqual([identityOfPem(fs.readFileSync(cert, "utf8"))]);
    expect(loaded.tls.verifyClients).toBe(false);
  });

  test("fails when the file does not exist", () => {
    expect(() => loadConfigFile(path.join(dir, "missing.yml"), {})).toThrow(
      `config file "${path.join(dir, "missing.yml")}" cannot be read: ENOENT`,
    );
  });

  test("fails when the TLS key file is missing, naming the file and the field", () => {
    const { cert } = serverFiles(true);
    const file = path.join(dir, "nokey.yml");
    fs.writeFileSync(
      file,
      `admin:\n  identity: disabled\ntls:\n  key: /nonexistent.key\n  cert: ${cert}\nkeystore:\n  fs:\n    path: /k\n`,
    );
    expect(() => loadConfigFile(file, {})).toThrow(
      `${file}: tls.key: cannot read private key "/nonexistent.key": ENOENT`,
    );
  });
});
