// The README's first command (npm run local = scripts/local.sh -> scripts/local/main.ts) must keep working:
// run its main program as the script does, in a temporary working folder, and read what it prints.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../../scripts/testbed/env";

const execFileAsync = promisify(execFile);

describe("the local flow (README's first command)", () => {
  let work: string;
  let out = "";
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-local-"));
    const res = await execFileAsync(
      process.execPath,
      ["--require", "ts-node/register/transpile-only", path.join("scripts", "local", "main.ts")],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, KVK_LOCAL_DIR: work },
        timeout: 480_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`local flow failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    });
    out = res.stdout;
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("GIVEN a run WHEN it ends THEN it read back the SSE-KMS object and found no plaintext at rest", () => {
    expect(out).toMatch(
      /PUT and GET of \d+ bytes: same bytes back; MinIO reports aws:kms with arn:aws:kms:demo-default/,
    );
    expect(out).toContain("does not contain the plaintext");
  });

  test("GIVEN a run WHEN it deploys THEN the pods it runs are the ones read back from the Kubernetes API server", () => {
    expect(out).toMatch(/Kubernetes v1\.34\.1 API server at https:\/\/127\.0\.0\.1:\d+/);
    const pods = [...out.matchAll(/pod demo\/(\S+) on (kwok-node-\d): Running, ready=true \(API server\)/g)].map((m) => m[1]);
    expect(pods.filter((p) => p.startsWith("keyserver-"))).toHaveLength(2);
    expect(pods).toContain("minio-0");
  });

  test("GIVEN a run WHEN it ends THEN it printed where the key lives in OpenBao", () => {
    expect(out).toMatch(/\/v1\/kv\/demo\/demo-default: \{"demo-default": <base64 protobuf KeyVersion/);
  });

  test("GIVEN a run WHEN it prints THEN no secret-id, API key or private key is in its output", () => {
    // The state holds the secret-id and the private keys the run used: none of them may appear in its output.
    const state = JSON.parse(fs.readFileSync(path.join(work, "state", "tenants.tfstate"), "utf8")) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const secrets = state.resources.flatMap((r) =>
      r.instances.flatMap((i) =>
        ["secret_id", "private_key_pem", "result"]
          .map((k) => i.attributes[k])
          .filter((v): v is string => typeof v === "string" && v.length > 8),
      ),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).not.toMatch(/kes:v1:|PRIVATE KEY/);
  });
});
