/**
 * The real `kes` CLI (test bed, v0.24.0) against each target: real KES first (proves the expectations),
 * then our key server. Exact stdout, stderr and exit codes, as an operator sees them.
 */
import {
  KEY_SERVER_TARGETS,
  newApiKey,
  run,
  startKeyServer,
  type KesApiKey,
  type RunningKeyServer,
} from "../../../scripts/testbed/kes";
import { testbedBinary } from "../../../scripts/testbed/env";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import type { ManagedProcess } from "../../../scripts/testbed/process";
import { kesCli, kesLogStream, waitForOutput } from "./support/kes-cli";

const DATE = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const AUDIT_HEADER =
  "Time        Status    Identity                IP                 API                               Latency\n";

/** Every route `kes status --api` lists, as real KES v0.24.0 prints it (in any order). */
const API_LINES = [
  "  GET     /version                     10s",
  "  GET     /v1/ready                    15s",
  "  GET     /v1/status                   15s",
  "  GET     /v1/metrics                  15s",
  "  GET     /v1/api                      10s",
  "  PUT     /v1/key/create/              15s",
  "  PUT     /v1/key/import/              15s",
  "  GET     /v1/key/describe/            15s",
  "  GET     /v1/key/list/                15s",
  "  DELETE  /v1/key/delete/              15s",
  "  PUT     /v1/key/generate/            15s",
  "  PUT     /v1/key/encrypt/             15s",
  "  PUT     /v1/key/decrypt/             15s",
  "  PUT     /v1/key/hmac/                15s",
  "  GET     /v1/policy/describe/         15s",
  "  GET     /v1/policy/read/             15s",
  "  GET     /v1/policy/list/             15s",
  "  GET     /v1/identity/describe/       15s",
  "  GET     /v1/identity/list/           15s",
  "  GET     /v1/identity/self/describe   15s",
  "  GET     /v1/log/error                Inf",
  "  GET     /v1/log/audit                Inf",
];

/** Asserts that a printed `YYYY-MM-DD hh:mm:ss` (UTC) is within two minutes of now. */
function expectRecent(printed: string): void {
  const t = Date.parse(printed.replace(" ", "T") + "Z");
  expect(Math.abs(Date.now() - t)).toBeLessThan(120_000);
}

function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

describe("GIVEN an API key made by the test-bed fixture", () => {
  it("WHEN `kes identity of` computes its identity THEN it equals the fixture's identity", async () => {
    const key = newApiKey();
    const res = await run(testbedBinary("kes"), ["identity", "of", key.apiKey]);
    expect(res).toEqual({ code: 0, stdout: key.identity, stderr: "" });
  });
});

describe.each(KEY_SERVER_TARGETS)("GIVEN the kes CLI against %s with the fs keystore", (target) => {
  let server: RunningKeyServer;
  let user: KesApiKey;
  let admin: string;

  beforeAll(async () => {
    user = newApiKey();
    server = await startKeyServer(target, {
      policies: {
        app: {
          allow: ["/v1/key/generate/app-*"],
          deny: ["/v1/key/generate/app-x*"],
          identities: [user.identity],
        },
      },
    });
    admin = server.admin.identity;
    for (const name of ["app-1", "app-2", "app-x1", "other"]) {
      const res = await kesCli(server, ["key", "create", name]);
      if (res.code !== 0) throw new Error(`setup: kes key create ${name} failed: ${res.stderr}`);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it("WHEN `kes status` runs THEN it prints the endpoint, version, uptime, latency, OS, CPUs and memory", async () => {
    const res = await kesCli(server, ["status"]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(
      new RegExp(
        String.raw`^● 127\.0\.0\.1:${server.port}\n  Version  \S.*\n  Uptime   \d+ (seconds|minutes)\n  Latency  \S+\n` +
          String.raw`  OS       linux\n  CPUs     [1-9]\d* (amd64|arm64)\n  Memory  \n  · Heap   [\d.]+[kKMGT]?B\n  · Stack  [\d.]+[kKMGT]?B\n$`,
      ),
    );
  });

  it("WHEN `kes status --api` runs THEN it lists every KES route with its method and timeout", async () => {
    const res = await kesCli(server, ["status", "--api"]);
    expect(res.code).toBe(0);
    const table = res.stdout.split("\n  Method  API                          Timeout\n")[1] ?? "";
    expect(table.trimEnd().split("\n").sort()).toEqual([...API_LINES].sort());
  });

  it("WHEN `kes status --json` runs THEN it prints the server state as JSON", async () => {
    const res = await kesCli(server, ["status", "--json"]);
    expect(res.code).toBe(0);
    const state = JSON.parse(res.stdout);
    expect(state).toEqual(
      expect.objectContaining({
        version: expect.any(String),
        os: "linux",
        arch: expect.stringMatching(/^(amd64|arm64)$/),
        num_cpu: expect.any(Number),
        num_cpu_used: expect.any(Number),
        mem_heap_used: expect.any(Number),
      }),
    );
    // The CLI omits a zero uptime (omitempty), which it is during the server's first second.
    expect(state.uptime ?? 0).toEqual(expect.any(Number));
    expect(state.uptime ?? 0).toBeGreaterThanOrEqual(0);
    expect(state.keystore_unreachable).toBeUndefined();
  });

  it("WHEN `kes key create` names a new key THEN it exits 0 silently", async () => {
    expect(await kesCli(server, ["key", "create", "fresh-1"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("fails when `kes key create` names an existing key", async () => {
    expect(await kesCli(server, ["key", "create", "app-1"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: failed to create key "app-1": key already exists\n',
    });
  });

  it("WHEN `kes key ls` runs THEN it prints every key sorted under a Key header", async () => {
    const res = await kesCli(server, ["key", "ls"]);
    expect(res).toEqual({ code: 0, stdout: expect.stringMatching(/^Key\n/), stderr: "" });
    const names = res.stdout.split("\n").slice(1, -1);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["app-1", "app-2", "app-x1", "other"]));
  });

  it("WHEN `kes key ls app` gives a prefix THEN only keys with that prefix are printed", async () => {
    expect(await kesCli(server, ["key", "ls", "app"])).toEqual({
      code: 0,
      stdout: "Key\napp-1\napp-2\napp-x1\n",
      stderr: "",
    });
  });

  it("WHEN `kes key info` names a key THEN it prints name, algorithm, date and owner", async () => {
    const res = await kesCli(server, ["key", "info", "app-1"]);
    expect(res.code).toBe(0);
    const m = res.stdout.match(
      new RegExp(`^Name        app-1\\nAlgorithm   AES256\\nDate        (${DATE})\\nOwner       ${admin}$`),
    );
    expect(m).not.toBeNull();
    expectRecent(m![1]);
  });

  it("fails when `kes key info` names a missing key", async () => {
    expect(await kesCli(server, ["key", "info", "nope"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: failed to describe keys: key does not exist\n",
    });
  });

  it("WHEN `kes key dek` generates a data key THEN `kes key decrypt` returns its plaintext", async () => {
    const dek = await kesCli(server, ["key", "dek", "app-1"]);
    expect(dek.code).toBe(0);
    const { plaintext, ciphertext } = JSON.parse(dek.stdout) as { plaintext: string; ciphertext: string };
    expect(Buffer.from(plaintext, "base64")).toHaveLength(32);
    expect(Buffer.from(ciphertext, "base64")).toHaveLength(76);
    expect(await kesCli(server, ["key", "decrypt", "app-1", ciphertext])).toEqual({
      code: 0,
      stdout: `{"plaintext":"${plaintext}"}`,
      stderr: "",
    });
  });

  it("WHEN `kes key dek` gets a context THEN `kes key decrypt` with the same context returns the plaintext", async () => {
    const context = b64('{"bucket":"bucket/object"}');
    const dek = await kesCli(server, ["key", "dek", "app-1", context]);
    const { plaintext, ciphertext } = JSON.parse(dek.stdout) as { plaintext: string; ciphertext: string };
    expect(await kesCli(server, ["key", "decrypt", "app-1", ciphertext, context])).toEqual({
      code: 0,
      stdout: `{"plaintext":"${plaintext}"}`,
      stderr: "",
    });
  });

  it("fails when `kes key decrypt` gets another context than the one the data key was made with", async () => {
    const dek = await kesCli(server, ["key", "dek", "app-1", b64('{"a":"a/b"}')]);
    const { ciphertext } = JSON.parse(dek.stdout) as { ciphertext: string };
    expect(await kesCli(server, ["key", "decrypt", "app-1", ciphertext, b64('{"a":"a/c"}')])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: failed to decrypt ciphertext: decryption failed: ciphertext is not authentic\n",
    });
  });

  it("WHEN `kes key encrypt` encrypts a message THEN `kes key decrypt` returns it", async () => {
    const enc = await kesCli(server, ["key", "encrypt", "app-2", "hello conformance"]);
    expect(enc).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^\{"ciphertext":"[A-Za-z0-9+/]+={0,2}"\}$/),
      stderr: "",
    });
    const { ciphertext } = JSON.parse(enc.stdout) as { ciphertext: string };
    expect(await kesCli(server, ["key", "decrypt", "app-2", ciphertext])).toEqual({
      code: 0,
      stdout: `{"plaintext":"${b64("hello conformance")}"}`,
      stderr: "",
    });
  });

  it("WHEN `kes key rm` removes a key THEN it exits 0 and the key is gone", async () => {
    expect(await kesCli(server, ["key", "rm", "other"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await kesCli(server, ["key", "info", "other"])).stderr).toBe(
      "Error: failed to describe keys: key does not exist\n",
    );
  });

  it("fails when `kes key rm` names a key the fs keystore does not have", async () => {
    expect(await kesCli(server, ["key", "rm", "never-created"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: failed to remove key "never-created": key does not exist\n',
    });
  });

  it("WHEN `kes policy info` names a policy THEN it prints name, date and creator", async () => {
    const res = await kesCli(server, ["policy", "info", "app"]);
    expect(res.code).toBe(0);
    const m = res.stdout.match(
      new RegExp(`^Name        app\\nDate        (${DATE})\\nCreated by  ${admin}\\n$`),
    );
    expect(m).not.toBeNull();
    expectRecent(m![1]);
  });

  it("fails when `kes policy info` names a missing policy", async () => {
    expect(await kesCli(server, ["policy", "info", "nope"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: policy does not exist\n",
    });
  });

  it("WHEN `kes policy show` names a policy THEN it prints its allow and deny rules as JSON", async () => {
    const res = await kesCli(server, ["policy", "show", "app"]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      allow: { "/v1/key/generate/app-*": {} },
      deny: { "/v1/key/generate/app-x*": {} },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      created_by: admin,
    });
  });

  it("WHEN `kes policy ls` runs THEN it prints the policy names", async () => {
    expect(await kesCli(server, ["policy", "ls"])).toEqual({ code: 0, stdout: "Key\napp\n", stderr: "" });
  });

  it("WHEN `kes identity info` runs as the admin THEN it prints the admin identity and role", async () => {
    const res = await kesCli(server, ["identity", "info"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(`^Identity    ${admin}\\nCreated At  ${DATE}\\nRole        Admin\\n$`),
    );
  });

  it("WHEN `kes identity info` names the user identity THEN it prints its policy, role and creator", async () => {
    const res = await kesCli(server, ["identity", "info", user.identity]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(
        `^Identity    ${user.identity}\\nPolicy      app\\nCreated At  ${DATE}\\nRole        User\\nCreated By  ${admin}\\n$`,
      ),
    );
  });

  it("WHEN `kes identity ls` runs THEN it prints the admin and the user identity sorted", async () => {
    expect(await kesCli(server, ["identity", "ls"])).toEqual({
      code: 0,
      stdout: `Identity\n${[admin, user.identity].sort().join("\n")}\n`,
      stderr: "",
    });
  });

  it("WHEN `kes identity info` runs as a policy-bound user THEN it prints its identity and policy rules", async () => {
    const res = await kesCli(server, ["identity", "info"], user.apiKey);
    if (target === "kes") {
      // Known defect of KES v0.24.0 (KES-PROTOCOL.md §2.2): self-describe 404s for every non-admin.
      expect(res).toEqual({ code: 1, stdout: "", stderr: "Error: identity does not exist\n" });
      return;
    }
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(
        `^Identity    ${user.identity}\\nCreated At  ${DATE}\\nRole        User\\n(Created By  ${admin}\\n)?\\n` +
          // The CLI ranges over the rule maps' values, so it prints "{}" per rule, not the pattern.
          `Policy      app\\nCreated At  ${DATE}\\nAllow      \\n            · \\{\\}\\nDeny       \\n            · \\{\\}\\n$`,
      ),
    );
  });

  it("WHEN a policy-bound user runs `kes key dek` on an allowed key THEN it gets a data key", async () => {
    const res = await kesCli(server, ["key", "dek", "app-1"], user.apiKey);
    expect(res.code).toBe(0);
    expect(Object.keys(JSON.parse(res.stdout))).toEqual(["plaintext", "ciphertext"]);
  });

  it("fails when a policy-bound user runs `kes key create` (not allowed)", async () => {
    expect(await kesCli(server, ["key", "create", "user-key"], user.apiKey)).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: failed to create key "user-key": not authorized: insufficient permissions\n',
    });
  });

  it("fails when a policy-bound user runs `kes key dek` on a key its deny rule matches", async () => {
    expect(await kesCli(server, ["key", "dek", "app-x1"], user.apiKey)).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: failed to derive key: not authorized: insufficient permissions\n",
    });
  });

  describe("WHEN `kes log` streams the audit log and a key is created", () => {
    let stream: ManagedProcess;
    afterEach(async () => {
      await stream?.stop();
    });

    it("THEN the stream prints the header and one line for the create", async () => {
      stream = kesLogStream(server, ["log"]);
      await new Promise((r) => setTimeout(r, 1000));
      expect(stream.exited()).toBe(false);
      expect(await kesCli(server, ["key", "create", "audited-1"])).toEqual({
        code: 0,
        stdout: "",
        stderr: "",
      });
      const line = String.raw`\d\d:\d\d:\d\d    200\s+${admin.slice(0, 20)}\s+127\.0\.0\.1\s+/v1/key/create/audited-1\s+\S+\n`;
      const event = await waitForOutput(stream, new RegExp(line), target === "kes" ? 3_000 : 10_000);
      if (target === "kes") {
        // Known defect of KES v0.24.0 (KES-PROTOCOL.md §2.2): the log streams carry no events; the CLI
        // prints its header once the response headers arrive, which KES delays.
        expect(event).toBeUndefined();
        expect(["", AUDIT_HEADER]).toContain(stream.output());
      } else {
        expect(stream.output()).toMatch(new RegExp(`^${AUDIT_HEADER}${line}$`));
      }
    });
  });
});

describe.each(KEY_SERVER_TARGETS)(
  "GIVEN the kes CLI against %s with the vault keystore on OpenBao",
  (target) => {
    let bao: OpenBaoServer;
    let server: RunningKeyServer;
    let stream: ManagedProcess | undefined;

    beforeAll(async () => {
      bao = await startOpenBao();
      server = await startKeyServer(target, {
        keystore: { kind: "vault", openbao: bao, kvVersion: 1, prefix: "cli" },
      });
    }, 120_000);

    afterAll(async () => {
      await stream?.stop();
      await server?.cleanup();
      await bao?.stop();
    });

    it("WHEN `kes log --error --json` streams and the keystore refuses a create THEN the stream prints an error event", async () => {
      stream = kesLogStream(server, ["log", "--error", "--json"]);
      await new Promise((r) => setTimeout(r, 1000));
      expect(stream.exited()).toBe(false);
      // The key server's Vault policy goes away: its token can no longer read or write the K/V mount.
      const del = await bao.request("DELETE", "sys/policies/acl/kes-kv-cli");
      expect(del.status).toBe(204);
      const res = await kesCli(server, ["key", "create", "doomed"]);
      expect(res).toEqual({
        code: 1,
        stdout: "",
        stderr: 'Error: failed to create key "doomed": failed to create key\n',
      });
      const event = await waitForOutput(stream, /^\{"message":".+"\}$/m, target === "kes" ? 3_000 : 10_000);
      if (target === "kes") {
        // Known defect of KES v0.24.0 (KES-PROTOCOL.md §2.2): the log streams carry no events.
        expect(event).toBeUndefined();
        expect(server.process.output()).toMatch(/level=ERROR msg=.*permission denied/);
      } else {
        expect(event).toBeTruthy();
      }
    });
  },
);
