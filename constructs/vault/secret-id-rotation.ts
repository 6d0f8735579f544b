/**
 * How often the AppRole secret-id is replaced. A rotation creates the new secret-id before the old one is
 * destroyed; the key server's Deployment rolls on the change.
 * @see https://registry.terraform.io/providers/hashicorp/time/latest/docs/resources/rotating
 */
export class SecretIdRotation {
  /** @throws Error when `days` is not a whole number of at least 1. */
  public static everyDays(days: number): SecretIdRotation {
    return new SecretIdRotation("days", days, 86_400);
  }

  /** @throws Error when `hours` is not a whole number of at least 1. */
  public static everyHours(hours: number): SecretIdRotation {
    return new SecretIdRotation("hours", hours, 3_600);
  }

  /** @throws Error when `minutes` is not a whole number of at least 1. */
  public static everyMinutes(minutes: number): SecretIdRotation {
    return new SecretIdRotation("minutes", minutes, 60);
  }

  private constructor(
    /** Unit of the `time_rotating` argument (`rotation_<unit>`). */
    public readonly unit: "days" | "hours" | "minutes",
    public readonly amount: number,
    unitSeconds: number,
  ) {
    if (!Number.isInteger(amount) || amount < 1) {
      throw new Error(
        `secret-id rotation every ${JSON.stringify(amount)} ${unit} is invalid: use a whole number of at least 1`,
      );
    }
    this.periodSeconds = amount * unitSeconds;
  }

  /** The period in seconds. */
  public readonly periodSeconds: number;
}
