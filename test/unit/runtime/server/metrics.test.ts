import { Metrics, renderMetrics } from "../../../../runtime/src/metrics/metrics";

const sys = {
  upTimeSeconds: 12.34,
  numCpu: 2,
  numCpuUsed: 2,
  numThreads: 1,
  heapUsed: 1000,
  heapObjects: 0,
  stackUsed: 0,
};

function families(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.trim().split("\n")) {
    const t = /^# TYPE (\S+) /.exec(line);
    if (t) out.set(t[1], []);
    else if (!line.startsWith("#")) {
      const name = line.split(/[{ ]/)[0].replace(/_(bucket|sum|count)$/, "");
      out.get(name)?.push(line);
    }
  }
  return out;
}

describe("renderMetrics", () => {
  test("GIVEN no request yet WHEN rendered THEN the labelled request counters are left out (no empty family)", () => {
    const f = families(renderMetrics(new Metrics(), { error: 0, audit: 0 }, sys));
    expect(f.has("kes_http_request_success")).toBe(false);
    expect(f.has("kes_http_request_error")).toBe(false);
    expect(f.has("kes_http_request_failure")).toBe(false);
    for (const [name, samples] of f) expect([name, samples.length > 0]).toEqual([name, true]);
  });

  test("GIVEN requests with 200, 404 and 502 WHEN rendered THEN each lands in its family with its code label", () => {
    const m = new Metrics();
    m.countStatus(200);
    m.countStatus(200);
    m.countStatus(404);
    m.countStatus(502);
    const text = renderMetrics(m, { error: 0, audit: 0 }, sys);
    expect(text).toContain('kes_http_request_success{code="200"} 2\n');
    expect(text).toContain('kes_http_request_error{code="404"} 1\n');
    expect(text).toContain('kes_http_request_failure{code="502"} 1\n');
  });

  test("GIVEN two response times WHEN rendered THEN the histogram buckets are cumulative with +Inf, sum and count", () => {
    const m = new Metrics();
    m.observeLatency(0.005);
    m.observeLatency(0.2);
    const text = renderMetrics(m, { error: 0, audit: 0 }, sys);
    expect(text).toContain('kes_http_response_time_bucket{le="0.01"} 1\n');
    expect(text).toContain('kes_http_response_time_bucket{le="0.25"} 2\n');
    expect(text).toContain('kes_http_response_time_bucket{le="+Inf"} 2\n');
    expect(text).toContain("kes_http_response_time_count 2\n");
  });

  test("GIVEN log event counts and a system sample WHEN rendered THEN every gauge and counter has exactly one sample", () => {
    const f = families(renderMetrics(new Metrics(), { error: 3, audit: 5 }, sys));
    for (const name of [
      "kes_http_request_active",
      "kes_log_audit_events",
      "kes_log_error_events",
      "kes_system_up_time",
      "kes_system_num_cpu",
      "kes_system_num_cpu_used",
      "kes_system_num_threads",
      "kes_system_mem_heap_used",
      "kes_system_mem_heap_objects",
      "kes_system_mem_stack_used",
    ]) {
      expect([name, f.get(name)?.length]).toEqual([name, 1]);
    }
    expect(f.get("kes_log_audit_events")).toEqual(["kes_log_audit_events 5"]);
  });
});
