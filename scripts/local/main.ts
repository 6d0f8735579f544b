/**
 * The main job on the embedded default (README's first command), on one machine:
 *   1. an OpenBao dev server (the Vault),
 *   2. `cdktf deploy` of the Vault half (stacks/main.ts: K/V engine, policy, AppRole, secret-id),
 *   3. our key server (runtime bundle) as a local process, configured from the keystore config the stack
 *      outputs and the role-id / secret-id it generated,
 *   4. the real `kes` CLI as a client: a key created, a data key generated and decrypted,
 *   5. where the key lives in OpenBao.
 * Everything it starts is stopped at the end (or on Ctrl-C with --keep). Working files go to .local/ (ignored
 * by git; it holds the secret-id and Terraform state: keep it private).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { renderConfigYaml, type KesConfigFile } from "../../runtime/src/config/schema";
import { identityOfApiKey, newApiKey } from "../../runtime/src/auth/identity";
import { REPO_ROOT, testbedBinary } from "../testbed/env";
import { startOpenBao, type OpenBaoServer } from "../testbed/openbao";
import { freePort, startProcess, waitUntil, type ManagedProcess } from "../testbed/process";
import { cdktfDeploy } from "./cdktf";

const execFileAsync = promisify(execFile);
const BUNDLE = path.join(REPO_ROOT, "runtime", "dist", "keyserver.cjs");
const TENANT = "demo";
const KEY_NAME = "demo-key";

const started = Date.now();
function say(text: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[local ${s}s] ${text}\n`);
}

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync(bin, args, { env, timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args[0]} ${args[1] ?? ""} failed: ${e.stderr?.trim() || e.message}`);
  }
}

interface StackOutputs {
  readonly role_id: string;
  readonly secret_id: string;
  readonly secret_id_accessor: string;
  readonly policy_name: string;
  readonly keystore_config: string;
}

async function main(): Promise<void> {
  const keep = process.argv.includes("--keep");
  const work = path.join(REPO_ROOT, ".local");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, "tls"), { recursive: true, mode: 0o700 });
  const stopping: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

  try {
    say("1/5 starting an OpenBao dev server (in memory, random root token)");
    const bao: OpenBaoServer = await startOpenBao();
    stopping.push(() => bao.stop());
    say(`    OpenBao ${(await bao.request("GET", "sys/health")).body.version} at ${bao.addr}`);

    say(`2/5 cdktf deploy of the Vault half for tenant "${TENANT}" (K/V v1 at kv/, prefix ${TENANT}/)`);
    const outputsFile = path.join(work, "outputs.json");
    await cdktfDeploy({
      stacks: ["vault-keystore"],
      outdir: path.join(work, "cdktf.out"),
      outputsFile,
      env: {
        ...bao.env,
        KVK_STACK_ID: "vault-keystore",
        KVK_KEYSTORE: JSON.stringify({ prefix: TENANT }),
        KVK_VAULT_VERSION_OVERRIDE: "1.14.0",
        KVK_STATE_DIR: path.join(work, "state"),
      },
      onLine: (line) => {
        const l = line.trim();
        if (/(Creation complete|Apply complete)/.test(l)) say(`    ${l.replace(/^vault-keystore\s+/, "")}`);
      },
    });
    fs.chmodSync(outputsFile, 0o600);
    const outputs = JSON.parse(fs.readFileSync(outputsFile, "utf8"))["vault-keystore"] as StackOutputs;
    const keystoreConfig = JSON.parse(outputs.keystore_config);
    say(`    policy ${outputs.policy_name}, AppRole role-id ${outputs.role_id}, secret-id accessor ${outputs.secret_id_accessor}`);

    say("3/5 starting our key server (runtime bundle) with the config rendered from the stack's keystore config");
    const node = process.execPath;
    const tlsKey = path.join(work, "tls", "server.key");
    const tlsCert = path.join(work, "tls", "server.crt");
    await run(node, [BUNDLE, "identity", "new", "--key", tlsKey, "--cert", tlsCert, "--ip", "127.0.0.1", "--dns", "localhost", "keyserver"], process.env);
    const adminApiKey = newApiKey();
    const port = await freePort();
    const config: KesConfigFile = {
      address: `127.0.0.1:${port}`,
      admin: { identity: identityOfApiKey(adminApiKey) },
      tls: { key: tlsKey, cert: tlsCert },
      log: { error: "INFO", audit: "off" },
      keystore: {
        vault: {
          ...keystoreConfig,
          endpoint: bao.addr,
          approle: { ...keystoreConfig.approle, id: outputs.role_id, secret: "${KVK_VAULT_SECRET_ID}" },
        },
      },
    };
    const configFile = path.join(work, "keyserver.yaml");
    fs.writeFileSync(configFile, renderConfigYaml(config), { mode: 0o600 });
    const server: ManagedProcess = startProcess("keyserver", node, [BUNDLE, "server", "--config", configFile], {
      env: { ...process.env, KVK_VAULT_SECRET_ID: outputs.secret_id },
    });
    stopping.push(() => server.stop());
    const endpoint = `https://127.0.0.1:${port}`;
    const kes = testbedBinary("kes");
    const kesEnv = { ...process.env, KES_SERVER: endpoint, KES_API_KEY: adminApiKey };
    await waitUntil("key server", async () => (await run(kes, ["status", "-k"], kesEnv)).length > 0, {
      proc: server,
      timeoutMs: 30_000,
    });
    say(`    listening on ${endpoint}, logged in to OpenBao with the AppRole (config: .local/keyserver.yaml)`);

    say(`4/5 the real kes CLI against it: create "${KEY_NAME}", generate a data key, decrypt it`);
    await run(kes, ["key", "create", "-k", KEY_NAME], kesEnv);
    const dek = JSON.parse(await run(kes, ["key", "dek", "-k", KEY_NAME], kesEnv)) as { plaintext: string; ciphertext: string };
    const decrypted = JSON.parse(await run(kes, ["key", "decrypt", "-k", KEY_NAME, dek.ciphertext], kesEnv)) as { plaintext: string };
    if (decrypted.plaintext !== dek.plaintext) throw new Error("decrypted data key differs from the generated one");
    say(`    data key: ${Buffer.from(dek.plaintext, "base64").length} bytes, ciphertext ${Buffer.from(dek.ciphertext, "base64").length} bytes; decrypted to the same bytes`);

    say("5/5 where the key lives");
    const vaultPath = [keystoreConfig.engine, keystoreConfig.prefix, KEY_NAME].filter(Boolean).join("/");
    const stored = await bao.request("GET", vaultPath);
    if (stored.status !== 200) throw new Error(`key not found in OpenBao at ${vaultPath} (HTTP ${stored.status})`);
    const fields = Object.keys(stored.body.data);
    say(`    OpenBao ${bao.addr}/v1/${vaultPath}: field "${fields.join(",")}" = base64 protobuf KeyVersion (${String(stored.body.data[KEY_NAME]).length} characters; not shown)`);
    say("done: the Vault half deployed with cdktf, and a KES-compatible key server serving keys stored under the tenant prefix");

    if (keep) {
      say(`--keep: everything stays up; KES_SERVER=${endpoint} (admin API key in .local/admin.apikey); Ctrl-C stops it`);
      fs.writeFileSync(path.join(work, "admin.apikey"), `${adminApiKey}\n`, { mode: 0o600 });
      await new Promise(() => undefined);
    }
  } finally {
    if (!keep) await stopAll();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`[local] failed: ${e.message}\n`);
  process.exit(1);
});
