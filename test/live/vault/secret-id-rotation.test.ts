import * as fs from "node:fs";
import { Keystore } from "../../../constructs";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { keystoreStackSettingsFromEnv } from "../../../stacks/keystore-stack-env";
import { deploy, type Deployment, type KeystoreJson } from "./deploy";
import { loginStatus } from "./key-server-requests";

const keystore = (trigger: string): KeystoreJson => ({
  prefix: "rotating",
  appRole: { rotation: { days: 30 }, rotationTrigger: trigger },
});
const spec = Keystore.specOf(
  keystoreStackSettingsFromEnv({ KVK_KEYSTORE: JSON.stringify(keystore("1")) }).props.keystore,
);

describe("secret-id rotation trigger (live)", () => {
  let bao: OpenBaoServer | undefined;
  let first: Deployment;
  let second: Deployment;

  beforeAll(async () => {
    bao = await startOpenBao();
    first = await deploy(bao, { stackId: "rotation", keystore: keystore("1") });
    second = await deploy(bao, { stackId: "rotation", keystore: keystore("2"), workDir: first.workDir });
    process.stdout.write(`[timing] rotation: first deploy ${first.ms} ms, rotation apply ${second.ms} ms\n`);
  });

  afterAll(async () => {
    await bao?.stop();
    if (first) fs.rmSync(first.workDir, { recursive: true, force: true });
  });

  test("GIVEN an advanced trigger WHEN applied THEN a different secret-id with a different accessor is issued", () => {
    expect(second.outputs.secret_id).toHaveLength(36);
    expect(second.outputs.secret_id).not.toBe(first.outputs.secret_id);
    expect(second.outputs.secret_id_accessor).not.toBe(first.outputs.secret_id_accessor);
    expect(second.outputs.role_id).toBe(first.outputs.role_id);
  });

  test("GIVEN the rotated secret-id WHEN the key server logs in with it THEN the login succeeds", async () => {
    const r = await loginStatus(bao!, spec, second.outputs.role_id, second.outputs.secret_id);
    expect(r.status).toBe(200);
  });

  test("GIVEN the old secret-id, destroyed by the rotation WHEN used to log in THEN the login is refused", async () => {
    const r = await loginStatus(bao!, spec, first.outputs.role_id, first.outputs.secret_id);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.errors)).toMatch(/invalid/i);
  });

  test("GIVEN the rotation apply WHEN its log is read THEN the new secret-id was created before the old one was destroyed", () => {
    const created = second.log.search(
      /vault_approle_auth_backend_role_secret_id\.[^:\s]+: Creation complete/,
    );
    const destroyed = second.log.search(
      /vault_approle_auth_backend_role_secret_id\.[^:\s]+ \(deposed object [0-9a-f]+\): Destroying/,
    );
    expect(created).toBeGreaterThan(-1);
    expect(destroyed).toBeGreaterThan(created);
  });
});
