// The key server exactly as the synthesized Deployment declares it, run as a local process against OpenBao:
// the tenants' Vault half and identities are applied with terraform and the real providers (the stack built
// `withoutKubernetes`, same logical ids), the Deployment's command, args, env and mounted files are read back
// from the full synthesis with declaredContainers(), their Secret values resolved from the applied state, and
// the real runtime bundle is started with them. MinIO's client certificate then works on its own key prefix only,
// and the other tenant's certificate is refused; MinIO, started as its StatefulSet declares it, comes up on its
// key server and creates its default key. (The lead's local rollout adds S3 traffic with SSE on top of this.)
import * as http from "node:http";
import { App } from "cdktf";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  declaredContainers,
  relocateContainer,
  resolveContainer,
  type ResolvedContainer,
  type TerraformStateJson,
} from "../../../constructs/kubernetes/declared-containers";
import { REPO_ROOT, loadTestbedEnv, testbedBinary, testbedProcessEnv } from "../../../scripts/testbed/env";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../../../scripts/testbed/process";
import { buildTenantsStacks } from "../../../stacks/tenants-stacks";
import { parseTenantsFile } from "../../../shared/tenants-file";

const execFileAsync = promisify(execFile);

interface Tls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

function call(
  port: number,
  method: string,
  urlPath: string,
  tls: Tls,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: urlPath,
        servername: "localhost",
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.each(["prefix", "namespace"] as const)(
  "the key server and MinIO as declared, run locally against OpenBao (%s isolation)",
  (isolation) => {
    let bao: OpenBaoServer;
    let work: string;
    let state: TerraformStateJson;
    let synthesized: unknown;
    const servers: ManagedProcess[] = [];

    const terraform = async (dir: string, args: string[]) => {
      try {
        const r = await execFileAsync(testbedBinary("terraform"), args, {
          cwd: dir,
          env: testbedProcessEnv({ ...bao.env }),
          timeout: 480_000,
          maxBuffer: 64 * 1024 * 1024,
        });
        return r.stdout;
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`terraform ${args[0]} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
      }
    };

    /** A tenant's declared container, relocated under `work`, every Secret value resolved from the state. */
    const container = (kind: "deployment" | "statefulset", namespace: string): ResolvedContainer => {
      const stackDir = path.join(work, "full", "stacks", "tenants");
      const c = declaredContainers(synthesized, {
        readStackFile: (p) => fs.readFileSync(path.join(stackDir, p), "utf8"),
      }).find((x) => x.kind === kind && x.namespace === namespace);
      if (!c) throw new Error(`no ${kind} in namespace ${namespace}`);
      const resolved = resolveContainer(relocateContainer(c, path.join(work, namespace, kind)), state);
      for (const f of resolved.files) {
        fs.mkdirSync(path.dirname(f.path), { recursive: true });
        if (!fs.existsSync(f.path)) fs.writeFileSync(f.path, f.content, { mode: f.mode });
      }
      for (const d of resolved.writableDirs) fs.mkdirSync(d, { recursive: true });
      return resolved;
    };
    const content = (c: ResolvedContainer, suffix: string): string => {
      const f = c.files.find((x) => x.path.endsWith(suffix));
      if (!f) throw new Error(`${c.name} mounts no ${suffix}`);
      return f.content;
    };

    const startKeyServer = async (namespace: string): Promise<number> => {
      const ks = container("deployment", namespace);
      const port = await freePort();
      const env = { ...ks.env };
      env.KEYSERVER_ADDRESS = `127.0.0.1:${port}`; // the only deviation: a free loopback port instead of 0.0.0.0:7373
      expect(ks.command).toEqual(["node"]);
      const proc = startProcess(`keyserver-${namespace}`, process.execPath, ks.args, {
        env: { PATH: process.env.PATH ?? "", ...env },
      });
      servers.push(proc);
      const ca = content(ks, "/tls/ca.crt");
      await waitUntil(
        `key server of ${namespace} ready`,
        async () => (await call(port, "GET", "/v1/ready", { ca })).status === 200,
        {
          proc,
          timeoutMs: 30_000,
        },
      );
      return port;
    };

    const minioTls = (namespace: string): Tls => {
      const m = container("statefulset", namespace);
      return {
        ca: content(m, "/kes/ca.crt"),
        cert: content(m, "/kes/client.crt"),
        key: content(m, "/kes/client.key"),
      };
    };

    let paymentsPort = 0;
    /** Reads a path of payments' keystore (in its Vault namespace under namespace isolation). */
    const readPayments = (apiPath: string) =>
      bao.request("GET", apiPath, undefined, isolation === "namespace" ? { namespace: "payments" } : {});

    beforeAll(async () => {
      const bundle = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");
      if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build:runtime`);
      bao = await startOpenBao();
      work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-declared-"));
      const file = parseTenantsFile(`
vault: { endpoint: "${bao.addr}", versionOverride: "1.14.0" }
isolation: ${isolation}
stackPerTenant: false
tenants:
  - name: payments
    keyServer: { extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }
    minio: { replicas: 1 }
  - name: analytics
    keyServer: { extraDnsNames: [localhost], extraIpAddresses: ["127.0.0.1"] }
    minio: { replicas: 1 }
`);
      const providerVersions = loadTestbedEnv().providerVersions;
      const full = new App({ outdir: path.join(work, "full") });
      buildTenantsStacks(full, file, { providerVersions });
      full.synth();
      synthesized = JSON.parse(
        fs.readFileSync(path.join(work, "full", "stacks", "tenants", "cdk.tf.json"), "utf8"),
      );

      const bare = new App({ outdir: path.join(work, "bare") });
      buildTenantsStacks(bare, file, { providerVersions, withoutKubernetes: true, stateDir: work });
      bare.synth();
      const dir = path.join(work, "bare", "stacks", "tenants");
      await terraform(dir, ["init", "-input=false", "-no-color"]);
      await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
      state = JSON.parse(await terraform(dir, ["show", "-json", "-no-color"])) as TerraformStateJson;
      paymentsPort = await startKeyServer("payments");
    }, 600_000);

    afterAll(async () => {
      for (const s of servers) await s.stop();
      await bao?.stop();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test("GIVEN payments' MinIO certificate WHEN it creates a key under its prefix THEN the key lands in OpenBao under kv/payments/", async () => {
      const r = await call(paymentsPort, "POST", "/v1/key/create/payments-k1", minioTls("payments"));
      expect(r).toMatchObject({ status: 200 });
      const stored = await readPayments("kv/payments/payments-k1");
      expect(stored.status).toBe(200);
      expect(typeof stored.body.data["payments-k1"]).toBe("string");
    });

    test("GIVEN payments' MinIO certificate WHEN it generates a data key with the key THEN it gets one", async () => {
      await call(paymentsPort, "POST", "/v1/key/create/payments-k2", minioTls("payments"));
      const r = await call(paymentsPort, "POST", "/v1/key/generate/payments-k2", minioTls("payments"));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toHaveProperty("ciphertext");
    });

    test("GIVEN payments' MinIO certificate WHEN it creates a key outside its prefix THEN the policy refuses it", async () => {
      const r = await call(paymentsPort, "POST", "/v1/key/create/analytics-k1", minioTls("payments"));
      expect(r.status).toBe(403);
      expect((await readPayments("kv/payments/analytics-k1")).status).toBe(404);
    });

    test("GIVEN payments' MinIO certificate WHEN it deletes its own key THEN the policy refuses it", async () => {
      await call(paymentsPort, "POST", "/v1/key/create/payments-k3", minioTls("payments"));
      expect(
        (await call(paymentsPort, "DELETE", "/v1/key/delete/payments-k3", minioTls("payments"))).status,
      ).toBe(403);
    });

    test("GIVEN analytics' MinIO certificate WHEN it calls payments' key server THEN it is not authorized", async () => {
      const analytics = minioTls("analytics");
      const r = await call(paymentsPort, "POST", "/v1/key/create/payments-k4", {
        ...analytics,
        ca: minioTls("payments").ca,
      });
      expect(r.status).toBe(403);
      expect(r.body).toContain("not authorized");
    });

    test("GIVEN payments' MinIO as its StatefulSet declares it WHEN started on its key server THEN it is ready and its default key is in kv/payments/", async () => {
      const m = container("statefulset", "payments");
      const [s3, consolePort] = [await freePort(), await freePort()];
      const env = { ...m.env };
      // Deviations for a local run: loopback ports, and the key server's local address (a SAN of its certificate).
      env.MINIO_KMS_KES_ENDPOINT = `https://localhost:${paymentsPort}`;
      const args = m.args.map((a) =>
        a === ":9000" ? `127.0.0.1:${s3}` : a === ":9001" ? `127.0.0.1:${consolePort}` : a,
      );
      expect(m.command).toEqual(["minio"]);
      const proc = startProcess("minio-payments", testbedBinary("minio"), args, {
        env: { PATH: process.env.PATH ?? "", HOME: work, ...env },
      });
      servers.push(proc);
      const ready = () =>
        new Promise<number>((resolve, reject) =>
          http
            .get({ host: "127.0.0.1", port: s3, path: "/minio/health/ready", timeout: 5000 }, (res) =>
              resolve(res.statusCode ?? 0),
            )
            .on("error", reject),
        );
      await waitUntil("minio ready", async () => (await ready()) === 200, { proc, timeoutMs: 60_000 });
      const stored = await readPayments("kv/payments/payments-default");
      expect(stored.status).toBe(200);
    });

    test("GIVEN analytics' trust anchor WHEN it connects to payments' key server THEN the TLS handshake fails (a different CA)", async () => {
      await expect(
        call(paymentsPort, "GET", "/v1/ready", { ca: minioTls("analytics").ca }),
      ).rejects.toThrow();
    });
  },
);
