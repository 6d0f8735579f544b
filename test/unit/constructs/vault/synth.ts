// Synthesis helpers for the Vault construct tests (no network, no terraform).
import "cdktf/lib/testing/adapters/jest"; // the jest.Matchers typings of the cdktf matchers
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { TerraformStack, Testing } from "cdktf";

Testing.setupJest();

/** Synthesized JSON of a scope, as an object. */
export type Synth = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  [k: string]: unknown;
};

/** Synthesizes `build` in a fresh stack and returns the string the cdktf matchers take, and the parsed JSON. */
export function synth(build: (stack: TerraformStack) => void): { text: string; json: Synth } {
  const text = Testing.synthScope((scope) => build(scope as TerraformStack));
  return { text, json: JSON.parse(text) as Synth };
}

/**
 * Synthesizes `build` in a fresh stack with the stack's validations run, as `cdktf synth` does (synthScope skips
 * them): late checks added with `node.addValidation` throw here.
 */
export function synthValidated(build: (stack: TerraformStack) => void): Synth {
  const stack = new TerraformStack(Testing.app(), "stack");
  new VaultProvider(stack, "vault", {});
  build(stack);
  return JSON.parse(Testing.synth(stack, true)) as Synth;
}

/** All resources of one Terraform type, by logical id. */
export function resources(json: Synth, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The only resource of a type (fails the test when there is not exactly one). */
export function only(json: Synth, type: string): Record<string, unknown> {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}
