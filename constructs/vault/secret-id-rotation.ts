import { Duration } from "../duration";

/** A `time_rotating` period: one of its `rotation_<unit>` arguments. */
export interface TimeRotatingPeriod {
  readonly unit: "days" | "hours" | "minutes";
  readonly amount: number;
}

const UNIT_SECONDS = { days: 86_400, hours: 3_600, minutes: 60 } as const;

/**
 * The `time_rotating` argument of a rotation period, in the unit the period was given in (so changing the kit
 * never changes a deployed rotation): days as `rotation_days`, hours as `rotation_hours`, minutes as
 * `rotation_minutes`, and seconds as whole minutes (time_rotating has no seconds).
 * @throws Error naming `secretIdRotation` when the period is shorter than a minute or seconds that are not whole
 *   minutes.
 */
export function timeRotatingPeriod(period: Duration): TimeRotatingPeriod {
  const label = period.unitLabel();
  const seconds = period.toSeconds();
  const unit = label === "seconds" ? "minutes" : label;
  const given = label === "seconds" ? `${seconds} seconds` : `${seconds / UNIT_SECONDS[unit]} ${label}`;
  if (seconds < 60) {
    throw new Error(
      `secretIdRotation of ${given} is shorter than a minute, the shortest period time_rotating takes: use e.g. SecretIdRotation.every(Duration.days(30))`,
    );
  }
  if (seconds % UNIT_SECONDS[unit] !== 0) {
    throw new Error(
      `secretIdRotation of ${given} is not a whole number of minutes, the smallest unit time_rotating counts in: use e.g. Duration.minutes(${Math.round(seconds / 60)})`,
    );
  }
  return { unit, amount: seconds / UNIT_SECONDS[unit] };
}

/**
 * How often the AppRole secret-id is replaced: `SecretIdRotation.every(Duration.days(30))`. A rotation creates
 * the new secret-id before the old one is destroyed; the key server's Deployment rolls on the change.
 * @see https://registry.terraform.io/providers/hashicorp/time/latest/docs/resources/rotating
 */
export class SecretIdRotation {
  /**
   * Rotates every `period`, rendered as `time_rotating`'s argument in the unit given (`Duration.days(30)` is
   * `rotation_days = 30`, `Duration.hours(12)` is `rotation_hours = 12`).
   * @throws Error when `period` is shorter than a minute, or is seconds that are not whole minutes.
   */
  public static every(period: Duration): SecretIdRotation {
    return new SecretIdRotation(period);
  }

  /** The rotation period. */
  public readonly period: Duration;

  private constructor(period: Duration) {
    timeRotatingPeriod(period);
    this.period = period;
  }
}
