/**
 * Runs the real `kes` CLI from the test bed against a key server, the way an operator does.
 */
import { testbedBinary } from "../../../../scripts/testbed/env";
import { run, type RunningKeyServer } from "../../../../scripts/testbed/kes";
import { startProcess, type ManagedProcess } from "../../../../scripts/testbed/process";

/** Result of one CLI invocation. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The CLI's environment: endpoint, API key and the server certificate as the only trusted root
 * (SSL_CERT_FILE), UTC for the dates it prints, and nothing else from the caller's KES_* variables.
 */
export function cliEnv(server: RunningKeyServer, apiKey: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? server.dir,
    TZ: "UTC",
    MINIO_KES_SERVER: server.endpoint,
    MINIO_KES_API_KEY: apiKey,
    SSL_CERT_FILE: server.caFile,
  };
}

/** `kes <args>` with the given API key (the admin's unless told). Never throws on a non-zero exit. */
export function kesCli(
  server: RunningKeyServer,
  args: readonly string[],
  apiKey = server.admin.apiKey,
): Promise<CliResult> {
  return run(testbedBinary("kes"), args, { env: cliEnv(server, apiKey), timeoutMs: 30_000 });
}

/** Starts a long-running `kes log ...` stream; stop it by its pid with `.stop()`. */
export function kesLogStream(server: RunningKeyServer, args: readonly string[]): ManagedProcess {
  return startProcess(`kes ${args.join(" ")}`, testbedBinary("kes"), args, {
    env: cliEnv(server, server.admin.apiKey),
  });
}

/** Resolves with the stream's output once `pattern` matches it, or with undefined after `ms`. */
export async function waitForOutput(
  proc: ManagedProcess,
  pattern: RegExp,
  ms: number,
): Promise<RegExpMatchArray | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = proc.output().match(pattern);
    if (m) return m;
    if (Date.now() > deadline || proc.exited()) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}
