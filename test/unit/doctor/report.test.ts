// The doctor's step order, its lines and table, its JSON and its redaction.
import {
  allPassed,
  DOCTOR_STEPS,
  formatStepLine,
  formatTable,
  redact,
  runSteps,
  toJson,
  type DoctorStepId,
} from "../../../doctor/report";

describe("runSteps", () => {
  test("GIVEN every step passing WHEN run THEN the five steps run once each in the documented order", async () => {
    const ran: DoctorStepId[] = [];
    const report = await runSteps("payments", async (id) => {
      ran.push(id);
      return { status: "ok", detail: `${id} fine` };
    });
    expect(ran).toEqual(["vault-login", "vault-policy", "key-server", "key-roundtrip", "minio-sse"]);
    expect(report.steps.map((s) => s.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(allPassed([report])).toBe(true);
  });

  test("GIVEN step 3 failing WHEN run THEN steps 4 and 5 are skipped, not run, and the tenant fails", async () => {
    const ran: DoctorStepId[] = [];
    const lines: string[] = [];
    const report = await runSteps(
      "payments",
      async (id) => {
        ran.push(id);
        return id === "key-server"
          ? { status: "failed", detail: "key server down", fix: "start it" }
          : { status: "ok", detail: "fine" };
      },
      (tenant, r) => lines.push(formatStepLine(tenant, r)),
    );
    expect(ran).toEqual(["vault-login", "vault-policy", "key-server"]);
    expect(report.steps.map((s) => s.status)).toEqual(["ok", "ok", "failed", "skipped", "skipped"]);
    expect(lines[2]).toBe(
      "[payments] 3/5 key server status, readiness, TLS: failed - key server down; fix: start it",
    );
    expect(lines[3]).toBe("[payments] 4/5 generate/decrypt with MinIO's identity: skipped - step 3 failed");
    expect(allPassed([report])).toBe(false);
  });

  test("GIVEN a step that throws WHEN run THEN it is reported failed with the error's message", async () => {
    const report = await runSteps("a", async () => {
      throw new Error("boom");
    });
    expect(report.steps[0]).toEqual({ step: "vault-login", status: "failed", detail: "boom" });
    expect(report.steps.slice(1).every((s) => s.status === "skipped")).toBe(true);
  });

  test("GIVEN no tenant WHEN judged THEN the run does not pass", () => {
    expect(allPassed([])).toBe(false);
  });
});

describe("formatTable and toJson", () => {
  const ok = DOCTOR_STEPS.map((s) => ({ step: s.id, status: "ok" as const, detail: "fine" }));
  const reports = [
    { tenant: "payments", steps: ok },
    {
      tenant: "analytics",
      steps: [
        {
          step: "vault-login" as const,
          status: "failed" as const,
          detail: "login refused:\n  HTTP 400",
          fix: "new secret-id",
        },
        ...DOCTOR_STEPS.slice(1).map((s) => ({
          step: s.id,
          status: "skipped" as const,
          detail: "step 1 failed",
        })),
      ],
    },
  ];

  test("GIVEN one passing and one failing tenant WHEN tabled THEN each step has a row, the failure its reason and fix on one line, and the count is last", () => {
    const lines = formatTable(reports).split("\n");
    expect(lines).toHaveLength(1 + 10 + 1);
    expect(lines[0]).toMatch(/^tenant +step +result +reason and fix$/);
    expect(lines[1]).toMatch(/^payments +1 Vault reachable, tenant login +ok$/);
    expect(lines[6]).toMatch(
      /^analytics +1 Vault reachable, tenant login +failed +login refused: HTTP 400 -> fix: new secret-id$/,
    );
    expect(lines[7]).toMatch(/^analytics +2 Vault policy \(capabilities\) +skipped$/);
    expect(lines[11]).toBe("1 of 2 tenant(s) pass, 1 fail");
    // Columns line up: the result column starts at the same offset on every row.
    const at = lines[0].indexOf("result");
    for (const l of lines.slice(1, 11)) expect(l.slice(at)).toMatch(/^(ok|failed|skipped)/);
  });

  test("GIVEN the same WHEN rendered as JSON THEN ok is false, each tenant says whether it passed and each step carries its number", () => {
    const doc = JSON.parse(toJson(reports));
    expect(doc.ok).toBe(false);
    expect(doc.tenants.map((t: { ok: boolean }) => t.ok)).toEqual([true, false]);
    expect(doc.tenants[1].steps[0]).toEqual({
      number: 1,
      step: "vault-login",
      status: "failed",
      detail: "login refused:\n  HTTP 400",
      fix: "new secret-id",
    });
  });
});

describe("redact", () => {
  test("GIVEN secret values WHEN text holds them THEN every occurrence is replaced, short values are left alone", () => {
    expect(redact("token s.abcdef123 and s.abcdef123, id ab", ["s.abcdef123", "ab"])).toBe(
      "token <redacted> and <redacted>, id ab",
    );
  });
});
