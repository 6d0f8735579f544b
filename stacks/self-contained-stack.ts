import { TerraformElement, TerraformOutput, TerraformStack, Token } from "cdktf";
import type { IConstruct } from "constructs";
import { mergeResolvedFragment, mergeTerraformJson, nestedByPath, setOverride } from "./terraform-json";
import { resolveTokens } from "./token-resolution";

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
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (k !== "//") visit(o[k]);
    }
  };
  visit(tf);
  return [...out].sort();
}

/** The Terraform elements under `scope`, depth first in construct order, not entering nested stacks (as cdktf lists them). */
function elementsOf(scope: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  for (const child of scope.node.children) {
    if (TerraformStack.isStack(child)) continue;
    if (TerraformElement.isTerraformElement(child)) into.push(child);
    elementsOf(child, into);
  }
  return into;
}

/**
 * A stack whose constructs take no values from other stacks (the kit's tenant stacks: they refer to shared
 * mounts by name, never by token). It synthesizes the same JSON as a `TerraformStack` with less work:
 * - cdktf's synthesis resolves every element twice, once beforehand only to find tokens of other stacks
 *   (`prepareStack`, which then adds the remote state and outputs a cross-stack reference needs); this stack
 *   skips that pass and instead checks its output: a reference to a resource it does not declare fails the
 *   synthesis;
 * - cdktf's `toTerraform()` resolves each element's fragment, merges them, then resolves the whole merged
 *   document again, which only copies what the first pass resolved (about half of the remaining time of a
 *   fleet); this stack resolves each element once and, again, only what was not resolved yet: the `//` block
 *   and the top-level blocks its own overrides (`addOverride`) touch.
 */
export class SelfContainedStack extends TerraformStack {
  /** The stack's overrides as cdktf records them (cdktf's own record is private). */
  private readonly stackOverrides: Record<string, unknown> = {};

  /** Sets up the backend as cdktf does, without the pass that looks for cross-stack references. */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  /** Adds an override to the stack's JSON, as `TerraformStack.addOverride` does. */
  public override addOverride(path: string, value: unknown): void {
    super.addOverride(path, value);
    setOverride(this.stackOverrides, path, value);
  }

  /**
   * The stack's Terraform JSON: what cdktf's `TerraformStack.toTerraform()` returns, each element resolved once.
   * @throws Error naming the references to resources the stack does not declare (a token of another stack).
   */
  public override toTerraform(): unknown {
    const tf = this.resolvedOnce();
    const missing = undeclaredReferences(tf);
    if (missing.length > 0) {
      throw new Error(
        `stack ${this.node.id} refers to ${missing.join(", ")}, which it does not declare: a value of another stack was passed to its constructs; pass plain values (names, paths) instead, as the tenant stacks do for the shared mounts`,
      );
    }
    return tf;
  }

  /**
   * cdktf's `TerraformStack.toTerraform()` (0.21) step by step, in its order: the elements' metadata, the
   * outputs by construct path, the elements' fragments each resolved and merged, the stack's overrides; then
   * the final resolution, limited to the parts not resolved yet.
   */
  private resolvedOnce(): Record<string, unknown> {
    const overrideKeys = Object.keys(this.stackOverrides);
    const metadata: Record<string, unknown> = {
      version: this.node.tryGetContext("cdktfVersion") as unknown,
      stackName: this.node.id,
      backend: "local", // a backend's metadata replaces it
      cloud: undefined,
      ...(overrideKeys.length > 0 ? { overrides: { stack: overrideKeys } } : {}),
    };
    const elements = elementsOf(this);
    const metadatas = elements.map((e) => resolveTokens(this, e.toMetadata()) as Record<string, unknown>);
    for (const m of metadatas) mergeTerraformJson(metadata, m);
    const outputs: Record<string, unknown> = {};
    for (const e of elements) {
      if (TerraformOutput.isTerraformOutput(e))
        mergeTerraformJson(outputs, nestedByPath(e.node.path.split("/"), e.friendlyUniqueId));
    }
    const tf: Record<string, unknown> = { "//": { metadata, outputs } };
    const fragments = elements.map((e) => resolveTokens(this, e.toTerraform()) as Record<string, unknown>);
    for (const f of fragments) mergeResolvedFragment(tf, f);
    mergeTerraformJson(tf, this.stackOverrides);
    // A key of an override may itself be a token: then resolve everything, as cdktf does.
    if (overrideKeys.some((k) => Token.isUnresolved(k)))
      return resolveTokens(this, tf) as Record<string, unknown>;
    // Resolving what is resolved already changes nothing (no token left in it), so only the `//` block
    // (built here from plain values and resolved metadata) and the blocks the overrides reached are resolved.
    for (const key of new Set(["//", ...overrideKeys])) {
      if (!(key in tf)) continue;
      const resolved: unknown = resolveTokens(this, tf[key]);
      if (resolved === undefined) delete tf[key];
      else tf[key] = resolved;
    }
    return tf;
  }
}
