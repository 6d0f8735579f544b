/**
 * Literal text inside Terraform (JSON syntax) strings: `${` starts an interpolation and `%{` a template
 * directive, so literal occurrences are written `$${` and `%%{`. The key server config (its `${ENV}`
 * references) and the bundle (JavaScript template literals) both hold them. Pure.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */

/** `text` as a literal Terraform string value. Never throws. */
export function escapeTerraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** The literal text a Terraform string written by {@link escapeTerraformLiteral} stands for. Never throws. */
export function unescapeTerraformLiteral(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
