import { X509Certificate } from "node:crypto";
import {
  createSelfSignedCertificate,
  generateCertificateKey,
} from "../../../../runtime/src/auth/certificate";
import { identityOfCertificate } from "../../../../runtime/src/auth/identity";
import { identify } from "../../../../runtime/src/server/identify";

const leaf = () =>
  createSelfSignedCertificate({ privateKey: generateCertificateKey("ed25519"), commonName: "client" }).der;

describe("identify", () => {
  test("GIVEN one leaf and one CA certificate WHEN identified THEN the CA is skipped and the leaf's identity is used", () => {
    const a = leaf();
    expect(
      identify([
        { raw: a, ca: false },
        { raw: leaf(), ca: true },
      ]),
    ).toBe(identityOfCertificate(a));
  });

  test("GIVEN a leaf WHEN identified THEN the identity is 64 lowercase hex characters", () => {
    expect(identify([{ raw: leaf(), ca: false }])).toMatch(/^[0-9a-f]{64}$/);
  });

  test("fails when no certificate was sent", () => {
    expect(() => identify([])).toThrow("tls: client certificate is required");
  });

  test("fails when only CA certificates were sent", () => {
    expect(() => identify([{ raw: leaf(), ca: true }])).toThrow("tls: client certificate is required");
  });

  test("fails when two non-CA certificates were sent", () => {
    let status = 0;
    try {
      identify([
        { raw: leaf(), ca: false },
        { raw: leaf(), ca: false },
      ]);
    } catch (e) {
      status = (e as { status: number }).status;
      expect((e as Error).message).toBe("tls: received more than one client certificate");
    }
    expect(status).toBe(400);
  });

  test("GIVEN a generated certificate WHEN parsed by node THEN it is not a CA (the rule's input)", () => {
    expect(new X509Certificate(leaf()).ca).toBe(false);
  });
});
