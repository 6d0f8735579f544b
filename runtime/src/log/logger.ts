/**
 * The error log: JSON lines (one object per line) on stderr, with slog-style levels, also pushed to the
 * /v1/log/error subscribers as `{"message":"<text line>"}` (KES' error-stream event shape).
 * Callers never pass secrets (tokens, secret-ids, API keys, key material) in messages or attributes.
 */
import { Multicast } from "./multicast";

/** slog levels. */
export const LEVEL = { DEBUG: -4, INFO: 0, WARN: 4, ERROR: 8 } as const;

/** Where log lines go. */
export interface LogOutput {
  write(line: string): unknown;
}

function levelName(level: number): string {
  if (level >= LEVEL.ERROR) return "ERROR";
  if (level >= LEVEL.WARN) return "WARN";
  if (level >= LEVEL.INFO) return "INFO";
  return "DEBUG";
}

/** Writes leveled JSON log lines. */
export class Logger {
  /** Subscribers of /v1/log/error. */
  readonly stream = new Multicast();
  /** Number of events written (kes_log_error_events). */
  events = 0;

  constructor(
    /** Lines below this level are dropped (from the output and the stream). */
    public level: number = LEVEL.INFO,
    private readonly out: LogOutput = process.stderr,
  ) {}

  /** Logs `msg` with attributes at `level`. Never throws. */
  log(level: number, msg: string, attrs: Readonly<Record<string, unknown>> = {}): void {
    if (level < this.level) return;
    const time = new Date().toISOString();
    const name = levelName(level);
    let line: string;
    try {
      line = JSON.stringify({ time, level: name, msg, ...attrs });
    } catch {
      line = JSON.stringify({ time, level: name, msg });
    }
    this.events++;
    try {
      this.out.write(`${line}\n`);
    } catch {
      // stderr gone: nothing better to do
    }
    if (this.stream.size > 0) {
      const extra = Object.entries(attrs)
        .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join("");
      this.stream.publish(
        `${JSON.stringify({ message: `time=${time} level=${name} msg=${JSON.stringify(msg)}${extra}` })}\n`,
      );
    }
  }

  debug(msg: string, attrs?: Readonly<Record<string, unknown>>): void {
    this.log(LEVEL.DEBUG, msg, attrs);
  }
  info(msg: string, attrs?: Readonly<Record<string, unknown>>): void {
    this.log(LEVEL.INFO, msg, attrs);
  }
  warn(msg: string, attrs?: Readonly<Record<string, unknown>>): void {
    this.log(LEVEL.WARN, msg, attrs);
  }
  error(msg: string, attrs?: Readonly<Record<string, unknown>>): void {
    this.log(LEVEL.ERROR, msg, attrs);
  }
}
