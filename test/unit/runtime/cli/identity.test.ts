import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import { identityOfApiKey, identityOfPem } from "../../../../runtime/src/auth/identity";
import { UsageError } from "../../../../runtime/src/cli/args";
import { runIdentity } from "../../../../runtime/src/cli/identity";
import { VECTOR_API_KEY } from "../../../vectors";

function capture(args: string[]): string {
  let out = "";
  runIdentity(args, { write: (s: string) => (out += s) });
  return out;
}

describe("identity of", () => {
  test("GIVEN the API key from KES-PROTOCOL §3.3 WHEN asked THEN the documented identity is printed", () => {
    expect(capture(["of", VECTOR_API_KEY])).toBe(
      "a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5\n",
    );
  });

  test("GIVEN a certificate file WHEN asked THEN its identity is printed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-id-"));
    try {
      capture(["new", "--key", path.join(dir, "k.key"), "--cert", path.join(dir, "k.crt"), "client"]);
      const pem = fs.readFileSync(path.join(dir, "k.crt"), "utf8");
      expect(capture(["of", path.join(dir, "k.crt")])).toBe(`${identityOfPem(pem)}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails when no argument is given", () => {
    expect(() => capture(["of"])).toThrow("identity of: expected exactly one API key or certificate file");
  });
});

describe("identity new", () => {
  test("GIVEN no flags WHEN run THEN a new API key and its identity are printed", () => {
    const out = capture(["new"]);
    const key = /(kes:v1:\S+)/.exec(out)![1];
    expect(out).toContain(identityOfApiKey(key));
  });

  test("GIVEN --key, --cert, --ip and --dns WHEN run THEN an Ed25519 key and a certificate with those SANs are written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-id-"));
    try {
      const out = capture([
        "new",
        "--key",
        path.join(dir, "s.key"),
        "--cert",
        path.join(dir, "s.crt"),
        "--ip",
        "127.0.0.1",
        "--dns",
        "localhost",
        "server",
      ]);
      const x = new X509Certificate(fs.readFileSync(path.join(dir, "s.crt")));
      expect(x.subject).toBe("CN=server");
      expect(x.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1");
      expect(x.publicKey.asymmetricKeyType).toBe("ed25519");
      expect(out).toBe(`Your Identity: ${identityOfPem(x.toString())}\n`);
      expect(fs.statSync(path.join(dir, "s.key")).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails when the key file exists and --force is not given", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-id-"));
    try {
      fs.writeFileSync(path.join(dir, "s.key"), "x");
      expect(() =>
        capture(["new", "--key", path.join(dir, "s.key"), "--cert", path.join(dir, "s.crt")]),
      ).toThrow(`identity new: "${path.join(dir, "s.key")}" already exists: use --force to overwrite it`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails when --key is given without --cert", () => {
    expect(() => capture(["new", "--key", "/tmp/x.key"])).toThrow(
      new UsageError("identity new: --key and --cert go together: give both or neither"),
    );
  });

  test("fails when the sub-command is unknown", () => {
    expect(() => capture(["show"])).toThrow(
      'identity: unknown sub-command "show": use "identity new" or "identity of"',
    );
  });
});
