import { Testing, TerraformStack } from "cdktf";
import * as path from "node:path";
import { Keystore, type KeystoreProps } from "../../../../constructs/vault/keystore";
import { KeyServerTls } from "../../../../constructs/kubernetes/key-server-tls";
import { RuntimeSource } from "../../../../constructs/kubernetes/runtime-source";

/** A tiny bundle file: keeps synthesized JSON and snapshots small. */
export const FIXTURE_BUNDLE = path.join(__dirname, "fixtures", "keyserver.cjs");
export const fixtureRuntime = () => RuntimeSource.fromBundle(FIXTURE_BUNDLE);

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Synthesizes a fresh stack built by `fn` and parses the JSON. */
export function synth(fn: (stack: TerraformStack) => void): Json {
  return JSON.parse(Testing.synthScope((scope) => fn(scope as TerraformStack)));
}

/** The resources of one type, by logical id. */
export function resources(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

/** The only resource of a type; fails when there is not exactly one. */
export function only(json: Json, type: string): Json {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** A keystore with AppRole login in the root namespace. */
export function approleKeystore(scope: TerraformStack, props: Partial<KeystoreProps> = {}): Keystore {
  return new Keystore(scope, "Keystore", { prefix: "payments", ...props });
}

/** TLS from literal placeholders (unit tests only; real stacks pass tls_* tokens). */
export const placeholderTls = () =>
  KeyServerTls.fromPem({ certPem: "CERT-PLACEHOLDER", keyPem: "KEY-PLACEHOLDER", caPem: "CA-PLACEHOLDER" });
