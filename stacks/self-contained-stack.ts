import { TerraformStack } from "cdktf";

/** First segments of a Terraform reference that do not name a resource: `var.x`, `path.module`, `each.key`, ... */
const NON_RESOURCE_ROOTS = new Set(["var", "local", "path", "each", "count", "self", "terraform", "module"]);
/** A traversal's first two segments, not inside another traversal (`a.b` of `x.a.b`, `x[0].a.b`). */
const TRAVERSAL = /(?<![\w.\]\)-])([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g;
/** A quoted string inside an expression (its text is not a reference). */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
/** A Terraform template interpolation: `${ ... }` (no nesting of braces needed for the kit's expressions). */
const INTERPOLATION = /(?<!\$)\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g;

/**
 * The references in a synthesized stack (its `cdk.tf.json` object) to resources or data sources it does not
 * declare, as `type.name` or `data.type.name`, sorted. Pure.
 */
export function undeclaredReferences(tf: unknown): string[] {
  const root = (tf ?? {}) as { resource?: Record<string, object>; data?: Record<string, object> };
  const declared = (block: Record<string, object> | undefined, type: string, name: string) =>
    block?.[type] !== undefined && Object.prototype.hasOwnProperty.call(block[type], name);
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (!v.includes("${")) return;
      for (const m of v.matchAll(INTERPOLATION)) {
        const expr = m[1].replace(QUOTED, '""');
        for (const r of expr.matchAll(TRAVERSAL)) {
          const [, first, second, third] = r;
          if (NON_RESOURCE_ROOTS.has(first)) continue;
          if (first === "data") {
            if (third !== undefined && !declared(root.data, second, third))
              out.add(`data.${second}.${third}`);
          } else if (!declared(root.resource, first, second)) {
            out.add(`${first}.${second}`);
          }
        }
      }
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) if (k !== "//") visit(x);
    }
  };
  visit(tf);
  return [...out].sort();
}

/**
 * A stack whose constructs take no values from other stacks (the kit's tenant stacks: they refer to shared
 * mounts by name, never by token). cdktf's synthesis resolves every element twice, once beforehand only to find
 * tokens of other stacks (`prepareStack`, which then adds the remote state and outputs a cross-stack reference
 * needs); this stack skips that pass (a third of a fleet's synthesis) and instead checks its output: a reference
 * to a resource it does not declare fails the synthesis.
 */
export class SelfContainedStack extends TerraformStack {
  /** Sets up the backend as cdktf does, without the pass that looks for cross-stack references. */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * The stack's Terraform JSON.
   * @throws Error naming the references to resources the stack does not declare (a token of another stack).
   */
  public override toTerraform(): unknown {
    const tf: unknown = super.toTerraform();
    const missing = undeclaredReferences(tf);
    if (missing.length > 0) {
      throw new Error(
        `stack ${this.node.id} refers to ${missing.join(", ")}, which it does not declare: a value of another stack was passed to its constructs; pass plain values (names, paths) instead, as the tenant stacks do for the shared mounts`,
      );
    }
    return tf;
  }
}
