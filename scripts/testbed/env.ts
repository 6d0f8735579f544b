import * as fs from "node:fs";
import * as path from "node:path";

/** Root of the repository (two levels above this file). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The environment written by scripts/testbed/install.sh, as tests and scripts consume it. */
export interface TestbedEnv {
  /** Cache folder of the test bed. */
  readonly dir: string;
  /** Variables to pass to cdktf/terraform child processes (TF_CLI_CONFIG_FILE, TERRAFORM_BINARY_NAME, ...). */
  readonly vars: Readonly<Record<string, string>>;
  /** Exact provider versions held by the filesystem mirror, by provider type (`vault` -> `5.9.0`). */
  readonly providerVersions: Readonly<Record<string, string>>;
}

const INSTALL_HINT = "run: bash scripts/testbed/install.sh";

/** Directory of the test-bed cache: $KVK_TESTBED_DIR or <repo>/.testbed. */
export function testbedDir(): string {
  return path.resolve(process.env.KVK_TESTBED_DIR ?? path.join(REPO_ROOT, ".testbed"));
}

/**
 * Reads <testbed>/env.json.
 * @throws Error naming the missing file and the install command, so a test that needs the test bed fails
 *   loudly instead of skipping.
 */
export function loadTestbedEnv(): TestbedEnv {
  const dir = testbedDir();
  const file = path.join(dir, "env.json");
  if (!fs.existsSync(file)) {
    throw new Error(`test bed is not installed: ${file} does not exist; ${INSTALL_HINT}`);
  }
  const vars = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  const providerVersions = vars.KVK_PROVIDER_VERSIONS ? JSON.parse(vars.KVK_PROVIDER_VERSIONS) : {};
  return { dir, vars, providerVersions };
}

/** The real binaries the test bed provides. */
export type TestbedBinary =
  | "bao"
  | "kes"
  | "minio"
  | "terraform"
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kwok";

const BINARY_VARS: Record<TestbedBinary, string> = {
  bao: "KVK_BAO_BIN",
  kes: "KVK_KES_BIN",
  minio: "KVK_MINIO_BIN",
  terraform: "TERRAFORM_BINARY_NAME",
  etcd: "KVK_ETCD_BIN",
  "kube-apiserver": "KVK_KUBE_APISERVER_BIN",
  "kube-controller-manager": "KVK_KUBE_CONTROLLER_MANAGER_BIN",
  "kube-scheduler": "KVK_KUBE_SCHEDULER_BIN",
  kwok: "KVK_KWOK_BIN",
};

/**
 * Absolute path of a test-bed binary.
 * @throws Error naming the component and how to install it when it is missing.
 */
export function testbedBinary(name: TestbedBinary): string {
  const env = loadTestbedEnv();
  const bin = env.vars[BINARY_VARS[name]];
  if (!bin || !fs.existsSync(bin)) {
    throw new Error(
      `test bed component "${name}" is missing (${BINARY_VARS[name]}="${bin ?? ""}"); ${INSTALL_HINT} ${name}`,
    );
  }
  return bin;
}

/** process.env plus the test-bed variables, for child processes (cdktf, terraform). */
export function testbedProcessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...loadTestbedEnv().vars, ...extra };
}
