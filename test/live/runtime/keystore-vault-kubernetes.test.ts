/**
 * The keystore's Kubernetes login path (`auth/<engine>/login` with `{"role","jwt"}`, the JWT given
 * literally or as a file re-read at every login) against a real OpenBao. Without a cluster, Vault's
 * kubernetes method cannot review tokens, so OpenBao's JWT auth method, which takes the same login body
 * and really verifies the signed token, is mounted at the path "kubernetes" in its place.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { encodeKeyVersion, newKeyVersion } from "../../../runtime/src/crypto/key-version";
import { VaultKeystore } from "../../../runtime/src/keystore/vault";
import { startOpenBao, type OpenBaoServer, type VaultResponse } from "../../../scripts/testbed/openbao";

let bao: OpenBaoServer;
let signer: KeyObject;
let dir: string;
const opened: VaultKeystore[] = [];

async function ok(what: string, p: Promise<VaultResponse>): Promise<VaultResponse> {
  const r = await p;
  if (r.status >= 300) throw new Error(`openbao: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** A service-account-like JWT signed with ES256, valid for `ttlSeconds`. */
function serviceAccountJwt(ttlSeconds: number, subject = "system:serviceaccount:tenant-a:minio"): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${part({ alg: "ES256", typ: "JWT" })}.${part({ iss: "kubernetes/serviceaccount", sub: subject, aud: ["kes"], iat: now, nbf: now - 5, exp: now + ttlSeconds })}`;
  const signature = sign("sha256", Buffer.from(input), { key: signer, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-k8s-"));
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  signer = pair.privateKey;
  bao = await startOpenBao();
  await ok("kv", bao.request("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }));
  await ok("jwt auth at kubernetes/", bao.request("POST", "sys/auth/kubernetes", { type: "jwt" }));
  await ok(
    "jwt config",
    bao.request("POST", "auth/kubernetes/config", {
      jwt_validation_pubkeys: [pair.publicKey.export({ type: "spki", format: "pem" })],
    }),
  );
  const hcl = `path "kv/k8s/*" { capabilities = ["create", "read", "delete", "list"] }\n`;
  await ok("policy", bao.request("PUT", "sys/policies/acl/k8s", { policy: hcl }));
  await ok(
    "role",
    bao.request("POST", "auth/kubernetes/role/kes", {
      role_type: "jwt",
      bound_audiences: ["kes"],
      user_claim: "sub",
      bound_subject: "system:serviceaccount:tenant-a:minio",
      token_policies: ["k8s"],
      token_period: "300s",
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const s of opened) await s.close();
  await bao?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("GIVEN a literal service-account JWT WHEN connecting THEN the keystore logs in and stores keys", async () => {
  const store = await VaultKeystore.connect({
    endpoint: bao.addr,
    prefix: "k8s",
    kubernetes: { role: "kes", jwt: serviceAccountJwt(600) },
  });
  opened.push(store);
  await store.create("literal", encodeKeyVersion(newKeyVersion("test")));
  expect((await ok("read raw", bao.request("GET", "kv/k8s/literal"))).body.data.literal).toMatch(/^Ci/);
});

test("fails when the JWT's subject is not bound to the role, with Vault's error", async () => {
  await expect(
    VaultKeystore.connect({
      endpoint: bao.addr,
      kubernetes: { role: "kes", jwt: serviceAccountJwt(600, "system:serviceaccount:other:app") },
    }),
  ).rejects.toThrow(/^vault: login at "auth\/kubernetes\/login" failed: 400 /);
});

test("GIVEN a JWT file that is rotated WHEN the token is revoked THEN the re-login reads the new file", async () => {
  const file = path.join(dir, "token");
  fs.writeFileSync(file, serviceAccountJwt(2));
  const store = await VaultKeystore.connect({
    endpoint: bao.addr,
    prefix: "k8s",
    kubernetes: { role: "kes", jwt: file },
  });
  opened.push(store);
  await store.create("from-file", encodeKeyVersion(newKeyVersion("test")));
  await new Promise((r) => setTimeout(r, 4_000)); // the first JWT has expired: only the rotated file can log in
  fs.writeFileSync(file, serviceAccountJwt(600));
  await ok(
    "revoke the keystore's tokens",
    bao.request("PUT", "sys/leases/revoke-prefix/auth/kubernetes/login", {}),
  );
  expect((await store.get("from-file")).length).toBeGreaterThan(0);
}, 30_000);
