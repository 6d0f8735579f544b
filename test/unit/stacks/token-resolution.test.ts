// resolveTokens against cdktf's own resolver: the same result for every kind of value cdktf resolves, and for
// every element of the 3-tenant example's stacks.
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { App, Fn, Lazy, TerraformElement, TerraformStack, Token } from "cdktf";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthApp } from "../../../stacks/app";
import { cdktfResolve, resolveTokens } from "../../../stacks/token-resolution";
import { FIXTURE_BUNDLE } from "../constructs/kubernetes/support";

const EXAMPLE = path.resolve(__dirname, "..", "..", "..", "examples", "tenants.yaml");

function stackWithMount(): { stack: TerraformStack; mount: Mount } {
  const stack = new TerraformStack(new App({ outdir: os.tmpdir() }), "s");
  new VaultProvider(stack, "vault", {});
  return { stack, mount: new Mount(stack, "kv", { path: "kv", type: "kv" }) };
}

describe("resolveTokens", () => {
  const { stack, mount } = stackWithMount();
  const port = Token.asNumber(Lazy.numberValue({ produce: () => 7373 }));
  const cases: [string, () => unknown][] = [
    [
      "plain values, undefined dropped",
      () => ({ a: "x", b: undefined, c: [1, undefined, "y"], d: null, e: true }),
    ],
    ["a string token", () => ({ path: mount.path })],
    ["a token inside a string", () => ({ policy: `path "${mount.path}/*" {}` })],
    ["a Lazy value", () => ({ v: Lazy.anyValue({ produce: () => ({ n: mount.accessor, u: undefined }) }) })],
    ["a number token, alone and written in a string", () => ({ port, text: `port ${port}` })],
    ["a list token", () => ({ list: Token.asList(Lazy.anyValue({ produce: () => ["a", mount.path] })) })],
    [
      "a map token",
      () => ({ map: Token.asStringMap(Lazy.anyValue({ produce: () => ({ k: mount.path }) })) }),
    ],
    ["a token as a key", () => ({ [mount.path]: "v" })],
    ["a Terraform function", () => ({ f: Fn.upper(mount.path), g: [Fn.lower(mount.type)] })],
    ["number-like strings", () => ({ hex: "3e12ab", exp: "1e+5", dash: "x-ee", sha: "570c691b3e12" })],
    ["escaped interpolations", () => ({ esc: "$${NOT_TF} ${var.x} %{ if true }y%{ endif }" })],
    ["deep nesting", () => ({ a: [{ b: [{ c: { d: [mount.id, { e: undefined }] } }] }] })],
    ["an empty object and array", () => ({ o: {}, a: [] })],
  ];
  test.each(cases)("GIVEN %s THEN the result equals cdktf's resolver's", (_name, make) => {
    const ours = resolveTokens(stack, make());
    expect(JSON.stringify(ours)).toBe(JSON.stringify(cdktfResolve(stack, make())));
  });

  test("GIVEN tokens THEN they are resolved (the comparison is not of two unresolved values)", () => {
    expect(resolveTokens(stack, { p: mount.path, n: port, q: `${port}` })).toEqual({
      p: "${vault_mount.kv.path}",
      n: 7373,
      q: 7373, // cdktf's: a string that is one number token resolves to the number
    });
  });

  test("fails when a function is to be resolved, as cdktf does", () => {
    expect(() => resolveTokens(stack, { f: () => 1 })).toThrow(/function/i);
    expect(() => cdktfResolve(stack, { f: () => 1 })).toThrow(/function/i);
  });

  test("GIVEN every element of the 3-tenant example, both layouts THEN its JSON resolves as with cdktf's resolver", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-resolve-"));
    try {
      let elements = 0;
      for (const perTenant of ["true", "false"]) {
        const app = synthApp(
          {
            KVK_TENANTS_FILE: EXAMPLE,
            KVK_RUNTIME_BUNDLE: FIXTURE_BUNDLE,
            KVK_STACK_PER_TENANT: perTenant,
            KVK_STATE_DIR: "/var/lib/kvk-golden",
          },
          { outdir: path.join(outdir, perTenant) },
        );
        for (const node of app.node.findAll()) {
          if (!TerraformElement.isTerraformElement(node)) continue;
          const s = TerraformStack.of(node);
          expect([node.node.path, JSON.stringify(resolveTokens(s, node.toTerraform()))]).toEqual([
            node.node.path,
            JSON.stringify(cdktfResolve(s, node.toTerraform())),
          ]);
          elements++;
        }
      }
      expect(elements).toBeGreaterThan(100);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
