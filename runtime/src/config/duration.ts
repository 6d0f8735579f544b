/**
 * Go `time.ParseDuration` syntax (`5m`, `1h30m`, `1.5s`, `300ms`, `0`), which KES config files use.
 * @see https://pkg.go.dev/time#ParseDuration
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration into milliseconds (may be fractional or negative).
 * @throws Error `invalid duration "<text>": use Go syntax such as 30s, 5m or 1h30m` for anything else.
 */
export function parseDuration(text: string): number {
  const fail = () => new Error(`invalid duration "${text}": use Go syntax such as 30s, 5m or 1h30m`);
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s[0] === "-" ? -1 : 1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw fail();
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) throw fail();
    total += Number(m[1]) * UNIT_MS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}
