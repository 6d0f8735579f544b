/**
 * `${NAME}` references in config values, with KES' rule: only a scalar whose whole trimmed value is
 * `${NAME}` is replaced (spaces inside the braces are trimmed); there is no partial interpolation.
 * @see https://github.com/minio/kes/blob/master/kesconf/config.go (env[T].UnmarshalYAML)
 */

const REFERENCE = /^\$\{\s*([^}]*?)\s*\}$/;

/** The variable name when `value` is a whole `${NAME}` reference, otherwise undefined. Never throws. */
export function envReference(value: string): string | undefined {
  const m = REFERENCE.exec(value.trim());
  return m ? m[1] : undefined;
}

/**
 * Replaces a whole-value `${NAME}` reference with the variable's value; any other text is returned as is.
 * @throws Error naming `field` and the variable when the variable is not set, or when the name is empty.
 */
export function substituteEnv(
  value: string,
  field: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const name = envReference(value);
  if (name === undefined) return value;
  if (name === "")
    throw new Error(`${field}: invalid environment variable reference "${value}": use \${NAME}`);
  const v = env[name];
  if (v === undefined) {
    throw new Error(
      `${field}: referenced environment variable "${name}" is not set: set ${name} or write the value into the file`,
    );
  }
  return v;
}
