type DurationUnit = "s" | "m" | "h";
/** The unit a Duration was given in. */
type DurationUnitLabel = "seconds" | "minutes" | "hours" | "days";

const UNIT_SECONDS: Readonly<Record<DurationUnit, number>> = { s: 1, m: 60, h: 3600 };
const UNIT_NAMES: Readonly<Record<DurationUnit, DurationUnitLabel>> = {
  s: "seconds",
  m: "minutes",
  h: "hours",
};

/**
 * A length of time in whole seconds, minutes, hours or days, for every duration the constructs take (token
 * periods and TTLs, certificate lifetimes, cache expiry, secret-id rotation). It keeps the unit it was given, so
 * it renders as the user wrote it: `Duration.minutes(5).toGoString()` is "5m", `Duration.seconds(60).toGoString()`
 * is "60s" (days render as hours: Go and Vault have no day unit; `unitLabel()` still says "days").
 * @see https://pkg.go.dev/time#ParseDuration
 */
export class Duration {
  /** @throws Error when `amount` is not a whole number of at least 0. */
  public static seconds(amount: number): Duration {
    return new Duration(amount, "s", "seconds");
  }

  /** @throws Error when `amount` is not a whole number of at least 0. */
  public static minutes(amount: number): Duration {
    return new Duration(amount, "m", "minutes");
  }

  /** @throws Error when `amount` is not a whole number of at least 0. */
  public static hours(amount: number): Duration {
    return new Duration(amount, "h", "hours");
  }

  /** @throws Error when `amount` is not a whole number of at least 0. */
  public static days(amount: number): Duration {
    return new Duration(amount * 24, "h", "days", amount);
  }

  /**
   * A duration written as one whole number and a unit, "90s", "5m" or "12h" (what tenants files and
   * environment variables carry).
   * @throws Error when `text` is not of that form.
   */
  public static parse(text: string): Duration {
    const m = /^([0-9]+)(s|m|h)$/.exec(text);
    if (!m) {
      throw new Error(
        `duration ${JSON.stringify(text)} must be a whole number and one unit of s, m or h: e.g. "90s", "5m" or "12h"`,
      );
    }
    const amount = Number(m[1]);
    const unit = m[2] as DurationUnit;
    return new Duration(amount, unit, UNIT_NAMES[unit]);
  }

  private constructor(
    private readonly amount: number,
    private readonly unit: DurationUnit,
    private readonly unitName: DurationUnitLabel,
    given: number = amount,
  ) {
    if (!Number.isSafeInteger(given) || given < 0) {
      throw new Error(
        `duration of ${JSON.stringify(given)} ${unitName} must be a whole number of at least 0: use a smaller unit for fractions, e.g. Duration.seconds(90)`,
      );
    }
  }

  /**
   * The unit the duration was given in ("days" for `Duration.days(2)`, though it renders as "48h"), for
   * settings that count in a unit of their own and must keep it (e.g. `time_rotating`'s `rotation_<unit>`).
   */
  public unitLabel(): "seconds" | "minutes" | "hours" | "days" {
    return this.unitName;
  }

  /** The duration in seconds. */
  public toSeconds(): number {
    return this.amount * UNIT_SECONDS[this.unit];
  }

  /**
   * The duration in whole hours.
   * @throws Error when it is not a whole number of hours (`field` names the prop in the message).
   */
  public toHours(field = "duration"): number {
    const seconds = this.toSeconds();
    if (seconds % 3600 !== 0) {
      throw new Error(
        `${field} ${this.toGoString()} is not a whole number of hours, which the tls provider counts in: use e.g. Duration.hours(${Math.max(1, Math.round(seconds / 3600))})`,
      );
    }
    return seconds / 3600;
  }

  /** The duration as Go and Vault read it, in the unit it was given: "90s", "5m", "48h". */
  public toGoString(): string {
    return `${this.amount}${this.unit}`;
  }
}
