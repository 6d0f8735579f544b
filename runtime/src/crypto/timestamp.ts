/**
 * Time values as KES stores them: google.protobuf.Timestamp (seconds + nanos) in protobuf key versions,
 * and Go's RFC 3339 text in legacy JSON key versions. A JS Date holds milliseconds, so the sub-second part
 * is carried separately in nanoseconds to keep KES' precision.
 * @see https://protobuf.dev/reference/protobuf/google.protobuf/#timestamp
 */

/** A point in time with nanosecond precision. */
export interface Instant {
  /** The time, truncated to milliseconds. */
  readonly date: Date;
  /** Nanoseconds within the second, 0..999,999,999 (consistent with `date`'s milliseconds). */
  readonly nanos: number;
}

/** Seconds since the Unix epoch of Go's zero time.Time (0001-01-01T00:00:00Z). */
export const GO_ZERO_TIME_SECONDS = -62135596800n;

/** Splits an instant into protobuf Timestamp seconds and nanos. */
export function toTimestamp(date: Date, nanos?: number): { seconds: bigint; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  const msPart = ms - seconds * 1000;
  const n = nanos !== undefined && Math.floor(nanos / 1e6) === msPart ? nanos : msPart * 1e6;
  return { seconds: BigInt(seconds), nanos: n };
}

/**
 * Builds an instant from protobuf Timestamp seconds and nanos.
 * @throws Error `invalid timestamp ...` when nanos is out of range or the time is outside Date's range.
 */
export function fromTimestamp(seconds: bigint, nanos: number): Instant {
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new Error(`invalid timestamp: nanos ${nanos} must be within 0..999999999`);
  }
  const date = new Date(Number(seconds) * 1000 + Math.floor(nanos / 1e6));
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp: ${seconds} seconds is out of range`);
  return { date, nanos };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses RFC 3339 text as Go's time.Time.UnmarshalJSON accepts it (fractional seconds up to 9 digits).
 * @throws Error `invalid time "<t>": ...` when the text is not RFC 3339.
 */
export function parseRfc3339(text: string): Instant {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`invalid time "${text}": expected RFC 3339 such as 2024-05-01T12:34:56.123456789Z`);
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let offsetMin = 0;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const nanos = Number(frac.padEnd(9, "0") || "0");
  // Date.UTC maps years 0..99 to 1900..1999; set the full year explicitly.
  const date = new Date(base);
  date.setUTCFullYear(Number(y));
  const ms = date.getTime() - offsetMin * 60_000 + Math.floor(nanos / 1e6);
  return { date: new Date(ms), nanos };
}
