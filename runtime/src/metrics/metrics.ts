/**
 * Server metrics in the Prometheus text format (0.0.4) with KES' metric families. A family with no sample
 * is never written: kms-go's Client.Metrics rejects it.
 * @see https://github.com/minio/kes/blob/master/internal/metric/metric.go
 */
import * as os from "node:os";

/** Response-time histogram buckets, seconds (KES: 10 ms to 10 s). */
export const RESPONSE_TIME_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 3, 5, 10] as const;

/** Content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** System figures sampled at render time. */
export interface SystemSample {
  readonly upTimeSeconds: number;
  readonly numCpu: number;
  readonly numCpuUsed: number;
  readonly numThreads: number;
  readonly heapUsed: number;
  readonly heapObjects: number;
  readonly stackUsed: number;
}

/** Request counters, latency histogram and log event counts. */
export class Metrics {
  readonly success = new Map<number, number>();
  readonly error = new Map<number, number>();
  readonly failure = new Map<number, number>();
  active = 0;
  readonly buckets = new Array<number>(RESPONSE_TIME_BUCKETS.length).fill(0);
  latencyCount = 0;
  latencySum = 0;
  readonly startTime = Date.now();

  /** Counts a finished request by status (2xx/3xx success, 4xx error, 5xx failure). Never throws. */
  countStatus(status: number): void {
    const m = status >= 500 ? this.failure : status >= 400 ? this.error : this.success;
    m.set(status, (m.get(status) ?? 0) + 1);
  }

  /** Adds one response time, in seconds. Never throws. */
  observeLatency(seconds: number): void {
    this.latencyCount++;
    this.latencySum += seconds;
    for (let i = 0; i < RESPONSE_TIME_BUCKETS.length; i++)
      if (seconds <= RESPONSE_TIME_BUCKETS[i]) this.buckets[i]++;
  }

  /** Current process figures. Never throws. */
  sampleSystem(): SystemSample {
    const mem = process.memoryUsage();
    const cpus = os.cpus().length;
    return {
      upTimeSeconds: Math.floor((Date.now() - this.startTime) / 10) / 100,
      numCpu: cpus,
      numCpuUsed: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus,
      numThreads: 1,
      heapUsed: mem.heapUsed,
      heapObjects: 0,
      stackUsed: 0,
    };
  }

  /** The exposition text, with the given log event counts and system sample. Never throws. */
  render(
    logEvents: { readonly error: number; readonly audit: number },
    sys: SystemSample = this.sampleSystem(),
  ): string {
    return renderMetrics(this, logEvents, sys);
  }
}

function family(name: string, help: string, type: string, samples: readonly string[]): string {
  if (samples.length === 0) return "";
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join("\n")}\n`;
}

function labelled(name: string, m: ReadonlyMap<number, number>): string[] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([code, n]) => `${name}{code="${code}"} ${n}`);
}

/** Renders metric state as Prometheus text; families without samples are left out. Never throws. */
export function renderMetrics(
  m: Metrics,
  logEvents: { readonly error: number; readonly audit: number },
  sys: SystemSample,
): string {
  const h = "kes_http_response_time";
  const histogram = [
    ...RESPONSE_TIME_BUCKETS.map((le, i) => `${h}_bucket{le="${le}"} ${m.buckets[i]}`),
    `${h}_bucket{le="+Inf"} ${m.latencyCount}`,
    `${h}_sum ${m.latencySum}`,
    `${h}_count ${m.latencyCount}`,
  ];
  return [
    family(
      "kes_http_request_success",
      "Number of requests that have been served successfully.",
      "counter",
      labelled("kes_http_request_success", m.success),
    ),
    family(
      "kes_http_request_error",
      "Number of request that failed due to some error. (HTTP 4xx status code)",
      "counter",
      labelled("kes_http_request_error", m.error),
    ),
    family(
      "kes_http_request_failure",
      "Number of request that failed due to some internal failure. (HTTP 5xx status code)",
      "counter",
      labelled("kes_http_request_failure", m.failure),
    ),
    family("kes_http_request_active", "Number of active requests that are not finished, yet.", "gauge", [
      `kes_http_request_active ${m.active}`,
    ]),
    family(h, "Histogram of request response times spawning from 10ms to 10s.", "histogram", histogram),
    family(
      "kes_log_audit_events",
      "Number of audit log events written to the audit log targets.",
      "counter",
      [`kes_log_audit_events ${logEvents.audit}`],
    ),
    family(
      "kes_log_error_events",
      "Number of error log events written to the error log targets.",
      "counter",
      [`kes_log_error_events ${logEvents.error}`],
    ),
    family(
      "kes_system_mem_heap_objects",
      "The number of objects that are currently allocated on the heap memory.",
      "gauge",
      [`kes_system_mem_heap_objects ${sys.heapObjects}`],
    ),
    family(
      "kes_system_mem_heap_used",
      "The number of bytes that are currently allocated on the heap memory.",
      "gauge",
      [`kes_system_mem_heap_used ${sys.heapUsed}`],
    ),
    family("kes_system_mem_stack_used", "The bytes of stack memory obtained from the OS.", "gauge", [
      `kes_system_mem_stack_used ${sys.stackUsed}`,
    ]),
    family(
      "kes_system_num_cpu",
      "The number of logical CPUs available on the system. It may be larger than the number of usable CPUs.",
      "gauge",
      [`kes_system_num_cpu ${sys.numCpu}`],
    ),
    family(
      "kes_system_num_cpu_used",
      "The number of logical CPUs usable by the server. It may be smaller than the number of available CPUs.",
      "gauge",
      [`kes_system_num_cpu_used ${sys.numCpuUsed}`],
    ),
    family(
      "kes_system_num_threads",
      "The number of concurrent co-routines/threads that currently exists.",
      "gauge",
      [`kes_system_num_threads ${sys.numThreads}`],
    ),
    family("kes_system_up_time", "The time the server has been up and running in seconds.", "gauge", [
      `kes_system_up_time ${sys.upTimeSeconds}`,
    ]),
  ].join("");
}
