import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Keystore, KvMount, KvVersion } from "../../../../constructs";

/** A real app writing into a temporary folder, so app.synth() runs cdktf's validations as `cdktf synth` does. */
function app(): App {
  return Testing.app({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "kvk-registry-")) } as never);
}

/** A stack with a vault provider reading its address from the environment (as the kit's stacks do). */
function stack(scope: App, id: string): TerraformStack {
  const s = new TerraformStack(scope, id);
  new VaultProvider(s, "vault", {});
  return s;
}

describe("app-wide keystore checks", () => {
  test("fails when two stacks of one app put nested prefixes on one mount, naming both keystores", () => {
    const a = app();
    new Keystore(stack(a, "tenant-a"), "Keystore", { prefix: "a" });
    new Keystore(stack(a, "tenant-ab"), "Keystore", { prefix: "a/b" });
    expect(() => a.synth()).toThrow(
      /\[tenant-ab\/Keystore\] prefix "a\/b" on mount "kv" in the root namespace lies inside prefix "a" of keystore tenant-a\/Keystore/,
    );
  });

  test("fails when two keystores of one stack share a mount and a prefix", () => {
    const a = app();
    const s = stack(a, "s");
    const mount = new KvMount(s, "Kv", { path: "kv", version: KvVersion.V1 });
    new Keystore(s, "One", { prefix: "p", kvMount: mount });
    new Keystore(s, "Two", { prefix: "p", kvMount: mount, policyName: "kes-two", roleName: "kes-two" });
    expect(() => a.synth()).toThrow(
      /\[s\/Two\] prefix "p" on mount "kv" in the root namespace is also the prefix of keystore s\/One/,
    );
  });

  test("fails when an explicit policy name repeats another keystore's, naming both", () => {
    const a = app();
    new Keystore(stack(a, "x"), "Keystore", { prefix: "x", policyName: "kes-shared" });
    new Keystore(stack(a, "y"), "Keystore", {
      prefix: "y",
      policyName: "kes-shared",
      roleName: "kes-y",
    });
    expect(() => a.synth()).toThrow(
      /policy name "kes-shared" in the root namespace is also the policy name of keystore x\/Keystore/,
    );
  });

  test("GIVEN prefixes eu/shop and eu-shop, and Pay and pay, in one app WHEN synthesized THEN the default names differ and synth succeeds", () => {
    const a = app();
    const specs = ["eu/shop", "eu-shop", "Pay", "pay"].map(
      (prefix, i) => new Keystore(stack(a, `t${i}`), "Keystore", { prefix }).spec,
    );
    expect(() => a.synth()).not.toThrow();
    expect(new Set(specs.map((s) => s.policyName)).size).toBe(4);
    expect(new Set(specs.map((s) => s.roleName)).size).toBe(4);
  });

  test("GIVEN the same prefix in two Vaults named by the providers' addresses WHEN synthesized THEN there is no conflict", () => {
    const a = app();
    for (const [id, address] of [
      ["staging", "https://vault.staging:8200"],
      ["prod", "https://vault.prod:8200"],
    ]) {
      const s = new TerraformStack(a, id);
      new VaultProvider(s, "vault", { address });
      new Keystore(s, "Keystore", { prefix: "payments" });
    }
    expect(() => a.synth()).not.toThrow();
  });

  test("fails when the same prefix is used twice against the Vault of the environment (VAULT_ADDR)", () => {
    const a = app();
    for (const id of ["one", "two"]) {
      const s = new TerraformStack(a, id);
      new VaultProvider(s, "vault", {});
      new Keystore(s, "Keystore", { prefix: "payments" });
    }
    expect(() => a.synth()).toThrow(/\[two\/Keystore\] prefix "payments"/);
  });
});
