/**
 * Runs the doctor over the tenants of a tenants file: for each tenant, its deployed credentials and files
 * read through the API server, then the five checks in order (report.ts), a line per step as it finishes.
 */
import { tenantKeystoreSpec } from "../shared/tenant-keystore";
import type { TenantsFile } from "../shared/tenants-file";
import {
  checkKeyRoundTrip,
  checkKeyServer,
  checkMinioSse,
  checkVaultLogin,
  checkVaultPolicy,
  DoctorFailure,
  type TenantCheckContext,
} from "./checks";
import { readDeployedTenant } from "./deployed-pods";
import type { KubeApi } from "./kube";
import type { ConnectTo } from "./net";
import type { TenantOutputs } from "./outputs";
import { runSteps, type DoctorStepId, type StepResult, type TenantReport } from "./report";

export interface DoctorOptions {
  readonly file: TenantsFile;
  readonly outputs: ReadonlyMap<string, TenantOutputs>;
  readonly kube: KubeApi;
  /** Tenants to check, in this order. @default - every tenant of the file not being offboarded */
  readonly tenants?: readonly string[];
  readonly connectTo?: ConnectTo;
  /**
   * Operator token for sys/capabilities (step 2) when the key server's token may not ask for its own.
   * @default - none: only sys/capabilities-self is tried
   */
  readonly operatorToken?: string;
  /**
   * Where the run collects every secret value it reads or receives, as it goes (so a caller printing lines
   * as they come can redact them). @default - a new list, returned in DoctorRun.secrets
   */
  readonly secrets?: string[];
  /** Called when a step finishes (the caller prints, after redaction). */
  readonly onStep?: (tenant: string, result: StepResult) => void;
}

export interface DoctorRun {
  readonly reports: TenantReport[];
  /** Every secret value read or received: nothing printed may contain one. */
  readonly secrets: string[];
}

const CHECKS: Record<DoctorStepId, (ctx: TenantCheckContext) => Promise<string>> = {
  "vault-login": checkVaultLogin,
  "vault-policy": checkVaultPolicy,
  "key-server": checkKeyServer,
  "key-roundtrip": checkKeyRoundTrip,
  "minio-sse": checkMinioSse,
};

/**
 * Checks each tenant.
 * @throws Error naming a tenant that is not in the file.
 */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorRun> {
  const names = opts.tenants ?? opts.file.tenants.filter((t) => t.offboard === undefined).map((t) => t.name);
  const secrets: string[] = opts.secrets ?? [];
  secrets.push(...opts.kube.secrets, ...(opts.operatorToken ? [opts.operatorToken] : []));
  const reports: TenantReport[] = [];
  for (const name of names) {
    const entry = opts.file.tenants.find((t) => t.name === name);
    if (!entry) {
      throw new Error(
        `--tenant ${name} is not in the tenants file (tenants: ${opts.file.tenants.map((t) => t.name).join(", ")})`,
      );
    }
    const spec = tenantKeystoreSpec(opts.file, entry);
    const neighbour = opts.file.tenants.find(
      (t) => t.name !== name && t.vaultNamespace === entry.vaultNamespace && t.prefix !== entry.prefix,
    );
    let ctx: TenantCheckContext | undefined;
    const report = await runSteps(
      name,
      async (id) => {
        if (ctx === undefined) {
          const outputs = opts.outputs.get(name);
          if (!outputs) {
            throw new DoctorFailure(
              `no outputs for tenant ${name}`,
              "deploy it and pass the outputs file it wrote",
            );
          }
          let deployed;
          try {
            deployed = await readDeployedTenant(opts.kube, entry.kubernetesNamespace);
          } catch (err) {
            throw new DoctorFailure(
              `reading the key server's credentials through the API server ${opts.kube.server}: ${(err as Error).message}`,
              "check the kubeconfig's access to the tenant's namespace (pods, secrets, configmaps, serviceaccounts/token)",
            );
          }
          secrets.push(...deployed.secrets);
          ctx = {
            tenant: name,
            spec,
            ...(neighbour ? { neighbourPrefix: neighbour.prefix } : {}),
            outputs,
            deployed,
            connectTo: opts.connectTo ?? new Map(),
            ...(opts.operatorToken ? { operatorToken: opts.operatorToken } : {}),
            secrets,
          };
        }
        try {
          return { status: "ok", detail: await CHECKS[id](ctx) };
        } catch (err) {
          return {
            status: "failed",
            detail: (err as Error).message,
            ...(err instanceof DoctorFailure ? { fix: err.fix } : {}),
          };
        }
      },
      opts.onStep,
    );
    reports.push(report);
  }
  return { reports, secrets };
}
