import { execFileSync, execSync } from "node:child_process";
import { createHash, sign, verify, createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  identityOfApiKey,
  identityOfCertificate,
  identityOfPem,
  newApiKey,
  parseApiKey,
  subjectPublicKeyInfoOf,
} from "../../../../runtime/src/auth/identity";
import { VECTOR_API_KEY, VECTOR_IDENTITY } from "../../../vectors";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-identity-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made by the real openssl CLI; returns its PEM path. */
function opensslCert(name: string, keyArgs: string[]): string {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      ...keyArgs,
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
    ],
    {
      stdio: "pipe",
    },
  );
  return cert;
}

/** The identity as the openssl pipeline computes it: SHA-256 over the DER public key. */
function opensslIdentity(cert: string): string {
  return execSync(
    `openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`,
    { encoding: "utf8" },
  ).split(" ")[0];
}

function derOf(pemFile: string): Buffer {
  return Buffer.from(
    fs
      .readFileSync(pemFile, "utf8")
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
      .replace(/\s+/g, ""),
    "base64",
  );
}

describe("identityOfCertificate", () => {
  test.each([
    ["ed25519", ["-newkey", "ed25519"]],
    ["ecdsa-p256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]],
    ["ecdsa-p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]],
    ["rsa-2048", ["-newkey", "rsa:2048"]],
  ])(
    "GIVEN an openssl %s certificate WHEN identified THEN it equals openssl's SHA-256 of the DER public key",
    (name, args) => {
      const cert = opensslCert(name, args);
      expect(identityOfCertificate(derOf(cert))).toBe(opensslIdentity(cert));
    },
  );

  test("GIVEN an openssl certificate WHEN slicing its SPKI THEN the bytes are openssl's DER public key", () => {
    const cert = opensslCert("spki", ["-newkey", "ed25519"]);
    const pub = execSync(`openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform DER`);
    expect(Buffer.from(subjectPublicKeyInfoOf(derOf(cert)))).toEqual(pub);
  });

  test("fails when the bytes are not a certificate", () => {
    expect(() => identityOfCertificate(Buffer.from([0x02, 0x01, 0x00]))).toThrow(
      "invalid certificate: certificate is not a DER SEQUENCE",
    );
  });

  test("fails when the certificate is truncated", () => {
    const der = derOf(opensslCert("truncated", ["-newkey", "ed25519"]));
    expect(() => identityOfCertificate(der.subarray(0, 60))).toThrow(
      "invalid certificate: DER element overruns its container",
    );
  });
});

describe("identityOfPem", () => {
  test("GIVEN a PEM with a key and two certificates WHEN identified THEN the first CERTIFICATE block counts", () => {
    const first = opensslCert("first", ["-newkey", "ed25519"]);
    const second = opensslCert("second", ["-newkey", "ed25519"]);
    const pem =
      fs.readFileSync(path.join(dir, "first.key"), "utf8") +
      fs.readFileSync(first, "utf8") +
      fs.readFileSync(second, "utf8");
    expect(identityOfPem(pem)).toBe(opensslIdentity(first));
  });

  test("fails when the PEM has no certificate", () => {
    expect(() => identityOfPem("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n")).toThrow(
      "no CERTIFICATE block in PEM",
    );
  });
});

describe("API keys", () => {
  test("GIVEN the §3.3 seed 00..1f WHEN identified THEN it gives the published identity", () => {
    expect(identityOfApiKey(VECTOR_API_KEY)).toBe(VECTOR_IDENTITY);
  });

  test("GIVEN the §3.3 key WHEN parsed THEN the public key SPKI is the published DER", () => {
    const spki = createPublicKey(parseApiKey(VECTOR_API_KEY).privateKey).export({
      format: "der",
      type: "spki",
    });
    expect(spki.toString("hex")).toBe(
      "302a300506032b657003210003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
    );
    expect(createHash("sha256").update(spki).digest("hex")).toBe(VECTOR_IDENTITY);
  });

  test("GIVEN a new API key WHEN parsed THEN it has the kes:v1 form and its private key signs for its identity", () => {
    const key = newApiKey();
    expect(key).toMatch(/^kes:v1:A[A-P][A-Za-z0-9+/]{42}$/);
    const parsed = parseApiKey(key);
    expect(parsed.seed.length).toBe(32);
    const pub = createPublicKey(parsed.privateKey);
    expect(verify(null, Buffer.from("m"), pub, sign(null, Buffer.from("m"), parsed.privateKey))).toBe(true);
    expect(parsed.identity).toBe(
      createHash("sha256")
        .update(pub.export({ format: "der", type: "spki" }))
        .digest("hex"),
    );
  });

  test("GIVEN two new API keys WHEN compared THEN they differ", () => {
    expect(newApiKey()).not.toBe(newApiKey());
  });

  test("fails when the prefix is missing", () => {
    expect(() => parseApiKey(VECTOR_API_KEY.slice("kes:v1:".length))).toThrow(
      'invalid api key: it must start with "kes:v1:"',
    );
  });

  test("fails when the base64 is malformed, without echoing the key", () => {
    let message = "";
    try {
      parseApiKey(`${VECTOR_API_KEY}!`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('invalid api key: the part after "kes:v1:" must be padded standard base64');
  });

  test("fails when the key is not 33 bytes", () => {
    expect(() => parseApiKey("kes:v1:AAAB")).toThrow(
      "invalid api key: it must decode to 33 bytes (type + 32-byte seed), got 3",
    );
  });

  test("fails when the key type is not Ed25519", () => {
    const raw = Buffer.concat([Buffer.from([1]), Buffer.alloc(32)]);
    expect(() => parseApiKey(`kes:v1:${raw.toString("base64")}`)).toThrow(
      "invalid api key: key type 1 is not supported; only 0 (Ed25519) is",
    );
  });
});
