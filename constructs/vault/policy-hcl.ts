import type { PolicyRule } from "./policy-rules";

/**
 * Renders policy rules as Vault HCL, one `path` block per rule in the given order, each preceded by a comment
 * saying why. Pure and deterministic.
 * @throws Error when a path contains a character that would break out of the HCL string (`"`, `\`, newline):
 *   the spec validation already refuses those, so this guards against misuse only.
 * @see https://openbao.org/docs/concepts/policies/
 */
export function renderPolicyHcl(rules: readonly PolicyRule[], header?: string): string {
  const lines: string[] = [];
  if (header) lines.push(`# ${header}`, "");
  for (const rule of rules) {
    if (/["\\\n\r]/.test(rule.path)) {
      throw new Error(
        `policy path ${JSON.stringify(rule.path)} contains a quote, backslash or newline: fix the keystore spec`,
      );
    }
    lines.push(
      `# ${rule.reason}`,
      `path "${rule.path}" {`,
      `  capabilities = [${rule.capabilities.map((c) => `"${c}"`).join(", ")}]`,
      "}",
      "",
    );
  }
  return lines.join("\n");
}
