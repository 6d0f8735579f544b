// Keystores that log in through a Kubernetes auth mount the platform made: the test enables and configures
// OpenBao's Kubernetes auth at a path of its own against the test-bed control plane (API address, CA, a reviewer
// service account bound to system:auth-delegator), as a platform team would outside the app; then one
// `cdktf deploy` of a Vault-only stack (fixtures/shared-mount-app.ts) creates two tenants' keystores whose roles
// go into that mount through `KubernetesAuthBackend.fromExisting`. The import creates nothing: the mount and its
// config are the platform's before and after. Logins use TokenRequest tokens, checked by a real TokenReview.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cdktfDeploy } from "../../../scripts/local/cdktf";
import { loadTestbedEnv, REPO_ROOT } from "../../../scripts/testbed/env";
import { startKubeControlPlane, type KubeControlPlane } from "../../../scripts/testbed/kube";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { must, serviceAccountToken, type Json } from "./kubernetes-auth-support";

const AUTH_PATH = "k8s-platform";
const TENANTS = ["payments", "analytics"];

describe("keystores logging in through an existing Kubernetes auth mount (KubernetesAuthBackend.fromExisting)", () => {
  let bao: OpenBaoServer;
  let kube: KubeControlPlane;
  let work: string;
  let stateFile: string;

  /** A token of `sa` in `ns` from the TokenRequest API; the API server's own audience unless `audiences`. */
  const tokenOf = (ns: string, sa: string, audiences?: string[]) =>
    serviceAccountToken(kube, ns, sa, audiences, 3600);
  const serviceAccount = (ns: string, name: string) =>
    must(
      `service account ${ns}/${name}`,
      kube.request("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } }),
    );
  const login = (role: string, jwt: string) => bao.request("POST", `auth/${AUTH_PATH}/login`, { role, jwt });

  beforeAll(async () => {
    bao = await startOpenBao();
    kube = await startKubeControlPlane({ nodes: 1 });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-cp-kauth-shared-"));
    fs.mkdirSync(path.join(work, "state"), { mode: 0o700 });
    stateFile = path.join(work, "state", "kauth-shared.tfstate");

    // The cluster side: each tenant's key server account, and a reviewer account for Vault.
    for (const ns of TENANTS) {
      await must(`namespace ${ns}`, kube.request("POST", "/api/v1/namespaces", { metadata: { name: ns } }));
      await serviceAccount(ns, "keyserver");
    }
    await serviceAccount("kube-system", "vault-reviewer");
    await must(
      "reviewer binding",
      kube.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        metadata: { name: "vault-reviewer" },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "system:auth-delegator",
        },
        subjects: [{ kind: "ServiceAccount", name: "vault-reviewer", namespace: "kube-system" }],
      }),
    );
    // The platform's mount, enabled and configured outside the app.
    await must("enable auth", bao.request("POST", `sys/auth/${AUTH_PATH}`, { type: "kubernetes" }));
    await must(
      "configure auth",
      bao.request("POST", `auth/${AUTH_PATH}/config`, {
        kubernetes_host: kube.server,
        kubernetes_ca_cert: kube.caPem,
        token_reviewer_jwt: await tokenOf("kube-system", "vault-reviewer"),
        disable_local_ca_jwt: true,
      }),
    );

    const register = path.join(REPO_ROOT, "node_modules", "ts-node", "register", "transpile-only");
    const t0 = Date.now();
    await cdktfDeploy({
      stacks: ["kauth-shared"],
      outdir: path.join(work, "cdktf.out"),
      outputsFile: path.join(work, "out.json"),
      app: `node --require ${register} ${path.join(__dirname, "fixtures", "shared-mount-app.ts")}`,
      env: {
        ...bao.env,
        TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json"),
        KVK_PROVIDER_VERSIONS: JSON.stringify(loadTestbedEnv().providerVersions),
        KVK_FIXTURE_SHARED_MOUNT: JSON.stringify({
          stackId: "kauth-shared",
          authPath: AUTH_PATH,
          tenants: TENANTS,
          stateDir: path.join(work, "state"),
        }),
      },
    });
    console.info(`deploy of two keystores into an existing Kubernetes auth mount: ${Date.now() - t0} ms`);
  }, 600_000);

  afterAll(async () => {
    await kube?.stop();
    await bao?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN the deployed stack WHEN its state is read THEN it holds the tenants' roles and no auth mount or mount config", () => {
    const types = (JSON.parse(fs.readFileSync(stateFile, "utf8")).resources as Json[]).map((r) => r.type);
    expect(types.filter((t) => t === "vault_kubernetes_auth_backend_role")).toHaveLength(2);
    expect(types).not.toContain("vault_auth_backend");
    expect(types).not.toContain("vault_kubernetes_auth_backend_config");
  });

  test("GIVEN the deployed stack WHEN the platform's mount is read THEN both roles are in it and its config is the platform's", async () => {
    const roles = await must("list roles", bao.request("LIST", `auth/${AUTH_PATH}/role`));
    expect([...roles.data.keys].sort()).toEqual(["kes-kv-analytics", "kes-kv-payments"]);
    const config = (await must("config", bao.request("GET", `auth/${AUTH_PATH}/config`))).data;
    expect(config.kubernetes_host).toBe(kube.server);
    const r = (await must("role", bao.request("GET", `auth/${AUTH_PATH}/role/kes-kv-payments`))).data;
    expect([r.bound_service_account_names, r.bound_service_account_namespaces, r.audience]).toEqual([
      ["keyserver"],
      ["payments"],
      "vault",
    ]);
  });

  test("GIVEN a tenant's key server token WHEN it logs in with its role THEN OpenBao issues a token that reaches its prefix only", async () => {
    const r = await login("kes-kv-payments", await tokenOf("payments", "keyserver", ["vault"]));
    expect(r.status).toBe(200);
    expect(r.body.auth.token_policies).toEqual(["kes-kv-payments"]);
    const token = r.body.auth.client_token as string;
    const put = (p: string) => bao.request("PUT", p, { bytes: "eA==" }, { token });
    expect((await put("kv/payments/shared-mount-probe")).status).toBe(204);
    expect((await put("kv/analytics/shared-mount-probe")).status).toBe(403);
  });

  test("GIVEN one tenant's key server token WHEN it logs in with the other tenant's role THEN it is refused", async () => {
    const r = await login("kes-kv-analytics", await tokenOf("payments", "keyserver", ["vault"]));
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body.errors)).toContain("namespace not authorized");
  });
});
