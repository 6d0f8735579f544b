// Vault Kubernetes auth for real: a one-tenant stack whose key server logs in with its service account is
// deployed by one `cdktf deploy` against OpenBao and the test-bed control plane; the stack configures OpenBao's
// Kubernetes auth against the real API server (host, CA, the tenant's token reviewer). Tokens come from the
// TokenRequest API, as the kubelet gets the key server's projected token; OpenBao checks each with a real
// TokenReview. No secret-id exists anywhere.
import { createSign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cdktfDeploy } from "../../../scripts/local/cdktf";
import { loadTestbedEnv, REPO_ROOT } from "../../../scripts/testbed/env";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { must, serviceAccountToken, type Json } from "./kubernetes-auth-support";

const b64url = (v: string | Buffer) => Buffer.from(v).toString("base64url");

describe("Vault Kubernetes auth configured by the stack against a real API server", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let work: string;
  let role: string;

  const tokenOf = (ns: string, sa: string, audiences: string[]) =>
    serviceAccountToken(kube, ns, sa, audiences);
  const login = (jwt: string) => bao.request("POST", "auth/kubernetes/login", { role, jwt });

  beforeAll(async () => {
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 1 });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-cp-kauth-"));
    const caFile = path.join(work, "kube-ca.crt");
    fs.writeFileSync(caFile, kube.caPem);
    fs.mkdirSync(path.join(work, "state"), { mode: 0o700 });
    const register = path.join(REPO_ROOT, "node_modules", "ts-node", "register", "transpile-only");
    const t0 = Date.now();
    await cdktfDeploy({
      stacks: ["kauth"],
      outdir: path.join(work, "cdktf.out"),
      outputsFile: path.join(work, "out.json"),
      app: `node --require ${register} ${path.join(__dirname, "fixtures", "tenant-app.ts")}`,
      env: {
        ...bao.env,
        ...kube.env,
        TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
        KVK_PROVIDER_VERSIONS: JSON.stringify(loadTestbedEnv().providerVersions),
        KVK_FIXTURE_TENANT: JSON.stringify({
          stackId: "kauth",
          tenantName: "payments",
          vaultEndpoint: bao.addr,
          kubernetesHost: kube.server,
          kubernetesCaFile: caFile,
          stateDir: path.join(work, "state"),
        }),
      },
    });
    console.info(`deploy of one tenant with Kubernetes login: ${Date.now() - t0} ms`);
    const roles = await must("list roles", bao.request("LIST", "auth/kubernetes/role"));
    expect(roles.data.keys).toHaveLength(1);
    role = roles.data.keys[0];
    // A second namespace with a service account of the same name, and another account in the tenant's.
    await must(
      "namespace other",
      kube.request("POST", "/api/v1/namespaces", { metadata: { name: "other" } }),
    );
    for (const [ns, name] of [
      ["other", "keyserver"],
      ["payments", "intruder"],
    ]) {
      await must(
        `service account ${ns}/${name}`,
        kube.request("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } }),
      );
    }
  });

  afterAll(async () => {
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the stack WHEN deployed THEN OpenBao's kubernetes mount points at the real API server with its CA and a reviewer token", async () => {
    const config = (await must("config", bao.request("GET", "auth/kubernetes/config"))).data;
    expect(config.kubernetes_host).toBe(kube.server);
    expect(config.kubernetes_ca_cert).toBe(kube.caPem);
    const r = (await must("role", bao.request("GET", `auth/kubernetes/role/${role}`))).data;
    expect(r.bound_service_account_names).toEqual(["keyserver"]);
    expect(r.bound_service_account_namespaces).toEqual(["payments"]);
    expect(r.audience).toBe("vault");
  });

  test("GIVEN a TokenRequest token of the key server's account for audience vault WHEN it logs in THEN OpenBao issues a token with the keystore policy only", async () => {
    const r = await login(await tokenOf("payments", "keyserver", ["vault"]));
    expect(r.status).toBe(200);
    expect(r.body.auth.token_policies).toHaveLength(1);
    expect(r.body.auth.metadata).toMatchObject({
      service_account_name: "keyserver",
      service_account_namespace: "payments",
    });
    // The issued token may create a key under the tenant's prefix, and nothing outside it.
    const token = r.body.auth.client_token as string;
    const put = (p: string) => bao.request("PUT", p, { bytes: "eA==" }, { token });
    expect((await put("kv/payments/kauth-probe")).status).toBe(204);
    expect((await put("kv/other/kauth-probe")).status).toBe(403);
  });

  test("GIVEN the same service account name in another namespace WHEN it logs in THEN it is refused", async () => {
    const r = await login(await tokenOf("other", "keyserver", ["vault"]));
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body.errors)).toContain("namespace not authorized");
  });

  test("GIVEN another service account of the tenant's namespace WHEN it logs in THEN it is refused", async () => {
    const r = await login(await tokenOf("payments", "intruder", ["vault"]));
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body.errors)).toContain("service account name not authorized");
  });

  test("GIVEN a token of the right account for the API server's audience WHEN it logs in THEN it is refused", async () => {
    const r = await login(await tokenOf("payments", "keyserver", [kube.serviceAccountIssuer]));
    expect(r.status).toBe(403);
  });

  /** A token of payments/keyserver for audience vault signed with the cluster's key, valid until `exp`. */
  const forged = async (exp: number) => {
    const sa = await must("sa", kube.request("GET", "/api/v1/namespaces/payments/serviceaccounts/keyserver"));
    const claims = {
      iss: kube.serviceAccountIssuer,
      sub: "system:serviceaccount:payments:keyserver",
      aud: ["vault"],
      iat: exp - 3600,
      nbf: exp - 3600,
      exp,
      "kubernetes.io": { namespace: "payments", serviceaccount: { name: "keyserver", uid: sa.metadata.uid } },
    };
    const unsigned = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256")
      .update(unsigned)
      .sign(fs.readFileSync(kube.serviceAccountKeyFile, "utf8"));
    return `${unsigned}.${b64url(signature)}`;
  };

  test("GIVEN an expired token of the right account and audience WHEN it logs in THEN the API server's review refuses it", async () => {
    const now = Math.floor(Date.now() / 1000);
    // The same token still valid logs in: only the expiry differs.
    expect((await login(await forged(now + 600))).status).toBe(200);
    const r = await login(await forged(now - 60));
    expect(r.status).toBe(403);
  });

  test("GIVEN the deployed stack WHEN its state and Kubernetes Secrets are searched THEN no secret-id exists anywhere", async () => {
    // (The runtime bundle in the ConfigMap mentions AppRole: look at resource types and attributes, not text.)
    const state = JSON.parse(fs.readFileSync(path.join(work, "state", "kauth.tfstate"), "utf8")) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    expect(state.resources.map((r) => r.type)).toContain("vault_kubernetes_auth_backend_role");
    expect(state.resources.filter((r) => r.type.startsWith("vault_approle"))).toEqual([]);
    const attributes = state.resources.flatMap((r) => r.instances.flatMap((i) => Object.keys(i.attributes)));
    expect(attributes.filter((a) => a.includes("secret_id"))).toEqual([]);
    const secret = await must("secret", kube.request("GET", "/api/v1/namespaces/payments/secrets/keyserver"));
    expect(Object.keys(secret.data)).not.toContain("vault-secret-id");
    const dep = await must(
      "deployment",
      kube.request("GET", "/apis/apps/v1/namespaces/payments/deployments/keyserver"),
    );
    expect(dep.status.readyReplicas).toBe(1);
    const vol = (dep.spec.template.spec.volumes as Json[]).find((v) => v.name === "vault-token");
    expect(vol?.projected.sources[0].serviceAccountToken).toMatchObject({ audience: "vault", path: "token" });
  });
});
