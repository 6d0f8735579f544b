import * as fs from "node:fs";
import { Keystore } from "../../../constructs";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { keystoreStackSettingsFromEnv } from "../../../stacks/keystore-stack-env";
import { deploy, type Deployment, type KeystoreJson } from "./deploy";
import { loginStatus } from "./key-server-requests";

const wrappedKeystore: KeystoreJson = { prefix: "wrapped", appRole: { responseWrappingTtl: "10m" } };
const k8sKeystore: KeystoreJson = {
  prefix: "k8s",
  existingKvMount: true,
  authMethod: "kubernetes",
  kubernetesAuth: { serviceAccountNames: ["kes"], serviceAccountNamespaces: ["minio"], audience: "vault" },
};
const specOf = (k: KeystoreJson) =>
  Keystore.specOf(keystoreStackSettingsFromEnv({ KVK_KEYSTORE: JSON.stringify(k) }).props.keystore);

describe("login options: response wrapping and Kubernetes auth (live)", () => {
  let bao: OpenBaoServer | undefined;
  let wrapped: Deployment;
  let k8s: Deployment;

  beforeAll(async () => {
    bao = await startOpenBao();
    wrapped = await deploy(bao, { stackId: "wrapped", keystore: wrappedKeystore });
    // The Kubernetes auth mount is enabled and configured by whoever knows the cluster (API address, CA); there
    // is no cluster here, so it is only enabled: roles can be written without the config.
    expect((await bao.request("POST", "sys/auth/kubernetes", { type: "kubernetes" })).status).toBe(204);
    k8s = await deploy(bao, { stackId: "k8s", keystore: k8sKeystore });
    process.stdout.write(`[timing] login options: wrapped ${wrapped.ms} ms, kubernetes ${k8s.ms} ms\n`);
  });

  afterAll(async () => {
    await bao?.stop();
    for (const d of [wrapped, k8s]) if (d) fs.rmSync(d.workDir, { recursive: true, force: true });
  });

  test("GIVEN response wrapping WHEN deployed THEN Terraform outputs a wrapping token and no secret-id", () => {
    expect(wrapped.outputs.secret_id).toBeUndefined();
    expect(wrapped.outputs.secret_id_wrapping_token.length).toBeGreaterThan(20);
  });

  test("GIVEN the wrapping token WHEN unwrapped once THEN the secret-id inside logs in", async () => {
    const unwrap = await bao!.request(
      "POST",
      "sys/wrapping/unwrap",
      {},
      { token: wrapped.outputs.secret_id_wrapping_token },
    );
    expect(unwrap.status).toBe(200);
    const login = await loginStatus(
      bao!,
      specOf(wrappedKeystore),
      wrapped.outputs.role_id,
      unwrap.body.data.secret_id,
    );
    expect(login.status).toBe(200);
  });

  test("GIVEN the wrapping token was used WHEN unwrapped again THEN it is refused (single use)", async () => {
    const again = await bao!.request(
      "POST",
      "sys/wrapping/unwrap",
      {},
      { token: wrapped.outputs.secret_id_wrapping_token },
    );
    expect(again.status).toBe(400);
  });

  test("GIVEN Kubernetes login WHEN deployed THEN OpenBao holds the role bound to the service account, namespace and audience with only the keystore policy", async () => {
    // A login needs a real kube-apiserver (TokenReview); none exists here, so only the role is checked.
    const role = await bao!.request("GET", `auth/kubernetes/role/${k8s.outputs.kubernetes_role}`);
    expect(role.status).toBe(200);
    expect(role.body.data).toMatchObject({
      bound_service_account_names: ["kes"],
      bound_service_account_namespaces: ["minio"],
      audience: "vault",
      token_policies: ["kes-kv-k8s"],
      token_period: 300,
      token_no_default_policy: true,
    });
    expect(JSON.parse(k8s.outputs.keystore_config).kubernetes).toEqual({
      engine: "kubernetes",
      role: "kes-kv-k8s",
    });
  });
});
