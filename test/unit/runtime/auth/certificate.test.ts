import { X509Certificate, generateKeyPairSync } from "node:crypto";
import {
  createSelfSignedCertificate,
  generateCertificateKey,
  ipAddressBytes,
  toPem,
} from "../../../../runtime/src/auth/certificate";
import * as der from "../../../../runtime/src/auth/der";
import { identityOfCertificate, identityOfSpki } from "../../../../runtime/src/auth/identity";
import { createPublicKey } from "node:crypto";

describe("der", () => {
  test("GIVEN small and large lengths WHEN a TLV is encoded THEN short and long length forms are used", () => {
    expect(der.tlv(0x04, Buffer.alloc(3)).subarray(0, 2)).toEqual(Buffer.from([0x04, 0x03]));
    expect(der.tlv(0x04, Buffer.alloc(300)).subarray(0, 4)).toEqual(Buffer.from([0x04, 0x82, 0x01, 0x2c]));
  });

  test("GIVEN an integer with the high bit set WHEN encoded THEN a zero byte keeps it positive", () => {
    expect(der.integer(Buffer.from([0x80, 0x01]))).toEqual(Buffer.from([0x02, 0x03, 0x00, 0x80, 0x01]));
    expect(der.integer(2)).toEqual(Buffer.from([0x02, 0x01, 0x02]));
    expect(der.integer(Buffer.from([0x00, 0x00, 0x05]))).toEqual(Buffer.from([0x02, 0x01, 0x05]));
  });

  test("GIVEN the Ed25519 and ECDSA-SHA256 OIDs WHEN encoded THEN the bytes match RFC 8410 and RFC 5758", () => {
    expect(der.oid("1.3.101.112").toString("hex")).toBe("06032b6570");
    expect(der.oid("1.2.840.10045.4.3.2").toString("hex")).toBe("06082a8648ce3d040302");
  });

  test("GIVEN dates before and after 2050 WHEN encoded THEN UTCTime and GeneralizedTime are chosen", () => {
    expect(der.time(new Date("2026-01-02T03:04:05Z")).toString("latin1")).toBe("\x17\x0d260102030405Z");
    expect(der.time(new Date("2050-01-02T03:04:05Z")).toString("latin1")).toBe("\x18\x0f20500102030405Z");
  });

  test("fails when an OID is not dotted decimal", () => {
    expect(() => der.oid("1.x")).toThrow('der oid "1.x" must be dotted decimal, e.g. 1.3.101.112');
  });
});

describe("ipAddressBytes", () => {
  test("GIVEN IPv4 and compressed IPv6 addresses WHEN encoded THEN 4 and 16 bytes result", () => {
    expect(ipAddressBytes("127.0.0.1").toString("hex")).toBe("7f000001");
    expect(ipAddressBytes("::1").toString("hex")).toBe("00000000000000000000000000000001");
    expect(ipAddressBytes("fe80::1:2").toString("hex")).toBe("fe800000000000000000000000010002");
    expect(ipAddressBytes("::ffff:10.0.0.1").toString("hex")).toBe("00000000000000000000ffff0a000001");
  });

  test("fails when the text is not an IP address", () => {
    expect(() => ipAddressBytes("localhost")).toThrow(
      'ip address "localhost" is not an IPv4 or IPv6 address: use e.g. 127.0.0.1 or ::1',
    );
  });
});

describe("createSelfSignedCertificate", () => {
  const notBefore = new Date("2026-01-01T00:00:00Z");

  test.each(["ed25519", "ecdsa-p256"] as const)(
    "GIVEN a %s key WHEN a certificate is created THEN node parses it, it verifies with its own key and carries the SANs",
    (type) => {
      const key = generateCertificateKey(type);
      const { der: bytes, pem } = createSelfSignedCertificate({
        privateKey: key,
        commonName: "localhost",
        dnsNames: ["localhost", "kes.example"],
        ipAddresses: ["127.0.0.1", "::1"],
        notBefore,
        validityMs: 3600_000,
      });
      const x = new X509Certificate(pem);
      expect(x.raw).toEqual(bytes);
      expect(x.verify(x.publicKey)).toBe(true);
      expect(x.subject).toBe("CN=localhost");
      expect(x.issuer).toBe("CN=localhost");
      expect(x.subjectAltName).toBe(
        "DNS:localhost, DNS:kes.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
      );
      expect(x.ca).toBe(false);
      expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
      expect(new Date(x.validFrom).toISOString()).toBe("2026-01-01T00:00:00.000Z");
      expect(new Date(x.validTo).toISOString()).toBe("2026-01-01T01:00:00.000Z");
    },
  );

  test("GIVEN an Ed25519 key WHEN certified THEN the certificate identity is the hash of that key's SPKI", () => {
    const key = generateCertificateKey("ed25519");
    const { der: bytes } = createSelfSignedCertificate({ privateKey: key, commonName: "x" });
    expect(identityOfCertificate(bytes)).toBe(
      identityOfSpki(createPublicKey(key).export({ type: "spki", format: "der" })),
    );
  });

  test("GIVEN only a client usage WHEN certified THEN the extended key usage holds only clientAuth", () => {
    const key = generateCertificateKey("ed25519");
    const x = new X509Certificate(
      createSelfSignedCertificate({ privateKey: key, commonName: "c", extKeyUsage: ["clientAuth"] }).pem,
    );
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(x.subjectAltName).toBeUndefined();
  });

  test("GIVEN two certificates WHEN created THEN their serial numbers differ and are positive", () => {
    const key = generateCertificateKey("ed25519");
    const a = new X509Certificate(createSelfSignedCertificate({ privateKey: key, commonName: "a" }).pem);
    const b = new X509Certificate(createSelfSignedCertificate({ privateKey: key, commonName: "a" }).pem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(parseInt(a.serialNumber[0], 16)).toBeLessThan(8);
  });

  test("fails when the key is RSA", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => createSelfSignedCertificate({ privateKey, commonName: "x" })).toThrow(
      'certificate private key type "rsa" is not supported: use an Ed25519 or ECDSA P-256 key',
    );
  });
});

describe("toPem", () => {
  test("GIVEN 100 bytes WHEN armoured THEN lines are 64 characters and the label is used", () => {
    const pem = toPem("CERTIFICATE", Buffer.alloc(100, 1));
    const lines = pem.trim().split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines[1]).toHaveLength(64);
    expect(lines[lines.length - 1]).toBe("-----END CERTIFICATE-----");
  });
});
