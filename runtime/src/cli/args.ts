/**
 * Command-line parsing shared by the sub-commands: node:util parseArgs with usage errors that name the flag.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * parseArgs with strict checking.
 * @throws UsageError for unknown flags, missing values or unexpected positionals.
 */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
