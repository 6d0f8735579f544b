/**
 * The audit log: one event per key operation. Written as a JSON line to stdout when the audit level is
 * INFO or lower (KES' default), and as KES' AuditLogEvent to the /v1/log/audit subscribers.
 * Events carry the path, identity and status only: never bodies, plaintexts or keys.
 * @see https://github.com/minio/kes/blob/master/audit.go
 */
import { goTime } from "../server/json";
import type { LogOutput } from "./logger";
import { Multicast } from "./multicast";

/** One audited request. */
export interface AuditRecord {
  readonly time: Date;
  readonly method: string;
  /** Decoded request path. */
  readonly path: string;
  readonly identity: string;
  readonly ip: string;
  readonly status: number;
  readonly responseTimeMs: number;
  /** What happened, e.g. `secret key 'my-key' created`. */
  readonly message: string;
}

/**
 * The stream event, as KES' api.AuditLogEvent: `{"time","request":{"ip","path","identity"},
 * "response":{"code","time"}}` with `time` in milliseconds (as KES sends it). Never throws.
 */
export function auditStreamEvent(r: AuditRecord): string {
  return JSON.stringify({
    time: goTime(r.time),
    request: { ip: r.ip, path: r.path, identity: r.identity },
    response: { code: r.status, time: Math.round(r.responseTimeMs) },
  });
}

/** The stdout line: slog-JSON-like, with the request and response groups. Never throws. */
export function auditLogLine(r: AuditRecord): string {
  return JSON.stringify({
    time: r.time.toISOString(),
    level: "INFO",
    msg: r.message,
    req: { method: r.method, path: r.path, ip: r.ip, identity: r.identity },
    res: { code: r.status, time: `${Math.round(r.responseTimeMs * 1000) / 1000}ms` },
  });
}

/** Fans audit records out to stdout and the stream subscribers. */
export class AuditLog {
  readonly stream = new Multicast();
  /** Number of events written (kes_log_audit_events). */
  events = 0;

  constructor(
    /** Write to `out` (stdout) as well. */
    public toOutput: boolean,
    private readonly out: LogOutput = process.stdout,
  ) {}

  /** True when a record would be written anywhere (callers skip building records otherwise). */
  get active(): boolean {
    return this.toOutput || this.stream.size > 0;
  }

  /** Records one event. Never throws. */
  log(r: AuditRecord): void {
    if (!this.active) return;
    this.events++;
    if (this.toOutput) {
      try {
        this.out.write(`${auditLogLine(r)}\n`);
      } catch {
        // stdout gone
      }
    }
    if (this.stream.size > 0) this.stream.publish(`${auditStreamEvent(r)}\n`);
  }
}
