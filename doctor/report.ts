/**
 * The doctor's steps, their order, and how their results are shown: a line per step as it finishes, a final
 * table (tenant, step, result, reason and fix) and the `--json` document. Pure.
 */

import { alignedTableLines } from "../shared/text-table";

/** The checks, in the order they run for each tenant. */
export const DOCTOR_STEPS = [
  { id: "vault-login", title: "Vault reachable, tenant login" },
  { id: "vault-policy", title: "Vault policy (capabilities)" },
  { id: "key-server", title: "key server status, readiness, TLS" },
  { id: "key-roundtrip", title: "generate/decrypt with MinIO's identity" },
  { id: "minio-sse", title: "MinIO KMS status, SSE-KMS PUT/GET" },
] as const;

export type DoctorStepId = (typeof DOCTOR_STEPS)[number]["id"];

/** What became of one step. */
export type StepStatus = "ok" | "failed" | "skipped";

/** One step's result. Never holds a secret: reasons name paths, identities (public) and HTTP statuses. */
export interface StepResult {
  readonly step: DoctorStepId;
  readonly status: StepStatus;
  /** What was checked and seen (ok), or what went wrong (failed), or why it did not run (skipped). */
  readonly detail: string;
  /** Failed only: what to do about it. */
  readonly fix?: string;
}

/** One tenant's results, one per step in DOCTOR_STEPS order. */
export interface TenantReport {
  readonly tenant: string;
  readonly steps: readonly StepResult[];
}

/** The step's number (1-based) and title. */
export function stepInfo(id: DoctorStepId): { number: number; title: string } {
  const i = DOCTOR_STEPS.findIndex((s) => s.id === id);
  return { number: i + 1, title: DOCTOR_STEPS[i].title };
}

/**
 * Runs a tenant's steps in order; after the first failure the remaining steps are reported as skipped (each
 * depends on the ones before it: no token, no policy check; no key server, no key round trip).
 */
export async function runSteps(
  tenant: string,
  run: (id: DoctorStepId) => Promise<Omit<StepResult, "step">>,
  onStep: (tenant: string, result: StepResult) => void = () => undefined,
): Promise<TenantReport> {
  const steps: StepResult[] = [];
  let failed: DoctorStepId | undefined;
  for (const { id } of DOCTOR_STEPS) {
    let result: StepResult;
    if (failed !== undefined) {
      result = { step: id, status: "skipped", detail: `step ${stepInfo(failed).number} failed` };
    } else {
      try {
        result = { step: id, ...(await run(id)) };
      } catch (err) {
        result = { step: id, status: "failed", detail: (err as Error).message };
      }
      if (result.status === "failed") failed = id;
    }
    steps.push(result);
    onStep(tenant, result);
  }
  return { tenant, steps };
}

/** Whether every step of every tenant passed. */
export function allPassed(reports: readonly TenantReport[]): boolean {
  return reports.length > 0 && reports.every((r) => r.steps.every((s) => s.status === "ok"));
}

/** The line printed when a step finishes: `[tenant] 2/5 Vault policy ...: ok - detail`. */
export function formatStepLine(tenant: string, r: StepResult): string {
  const { number, title } = stepInfo(r.step);
  const fix = r.fix ? `; fix: ${r.fix}` : "";
  return `[${tenant}] ${number}/${DOCTOR_STEPS.length} ${title}: ${r.status} - ${r.detail}${fix}`;
}

/** The final table: one row per tenant and step, then a count line. */
export function formatTable(reports: readonly TenantReport[]): string {
  const rows = reports.flatMap((rep) =>
    rep.steps.map((s) => {
      const { number, title } = stepInfo(s.step);
      const reason =
        s.status === "failed" ? `${s.detail}${s.fix ? ` -> fix: ${s.fix}` : ""}`.replace(/\s+/g, " ") : "";
      return [rep.tenant, `${number} ${title}`, s.status, reason];
    }),
  );
  const passed = reports.filter((r) => r.steps.every((s) => s.status === "ok")).length;
  return [
    ...alignedTableLines(["tenant", "step", "result", "reason and fix"], rows),
    `${passed} of ${reports.length} tenant(s) pass${passed === reports.length ? "" : `, ${reports.length - passed} fail`}`,
  ].join("\n");
}

/** The `--json` document. */
export function toJson(reports: readonly TenantReport[]): string {
  return JSON.stringify(
    {
      ok: allPassed(reports),
      tenants: reports.map((r) => ({
        tenant: r.tenant,
        ok: r.steps.every((s) => s.status === "ok"),
        steps: r.steps.map((s) => ({ number: stepInfo(s.step).number, ...s })),
      })),
    },
    null,
    2,
  );
}

/**
 * Replaces every occurrence of a secret value in `text` with `<redacted>`: the last guard before anything is
 * printed (values shorter than 6 characters are left alone, they would mangle ordinary words).
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join("<redacted>");
  return out;
}
