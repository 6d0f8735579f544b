// The JSON assembly helpers of SelfContainedStack against what cdktf does (its deepMerge is not exported: the
// test reads it by deep path to compare).
import { Lazy } from "cdktf";
import { deepMerge } from "cdktf/lib/util";
import {
  mergeResolvedFragment,
  mergeTerraformJson,
  nestedByPath,
  setOverride,
} from "../../../stacks/terraform-json";

type Json = Record<string, unknown>;

describe("mergeTerraformJson", () => {
  const token = Lazy.stringValue({ produce: () => "x" });
  const resolvable = { resolve: () => 1 };
  const cases: [string, () => Json, () => Json][] = [
    ["disjoint blocks", () => ({ resource: { a: { x: { n: 1 } } } }), () => ({ resource: { b: { y: {} } } })],
    [
      "one block's keys merged",
      () => ({ resource: { a: { x: { n: 1, m: 2 } } } }),
      () => ({ resource: { a: { x: { m: 3, k: [1] } } } }),
    ],
    [
      "arrays appended",
      () => ({ moved: [{ a: 1 }], x: { l: ["a"] } }),
      () => ({ moved: [{ b: 2 }], x: { l: ["b"] } }),
    ],
    ["an array over a non-array", () => ({ x: "s" }), () => ({ x: ["a"] })],
    ["undefined deletes", () => ({ x: { a: 1, b: 2 } }), () => ({ x: { a: undefined } })],
    ["an object over a scalar", () => ({ x: 1 }), () => ({ x: { y: 2 } })],
    ["a scalar over an object", () => ({ x: { y: 2 } }), () => ({ x: 1 })],
    ["a token object", () => ({ x: { y: 2 } }), () => ({ x: { t: resolvable }, y: { z: 1 } })],
    ["a Lazy", () => ({ x: {} }), () => ({ x: { l: token } })],
    ["null", () => ({ x: 1 }), () => ({ x: null })],
  ];
  test.each(cases)("GIVEN %s THEN the result equals cdktf's deepMerge", (_name, target, source) => {
    const ours = mergeTerraformJson(target(), source());
    const theirs = deepMerge(target(), source()) as Json;
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });

  test("GIVEN two fragments THEN both are in the target and the target is returned", () => {
    const target: Json = { resource: { a: { x: { n: 1 } } } };
    expect(mergeTerraformJson(target, { resource: { a: { y: { n: 2 } } } })).toBe(target);
    expect(target).toEqual({ resource: { a: { x: { n: 1 }, y: { n: 2 } } } });
  });
});

describe("mergeResolvedFragment", () => {
  const fragments = (): Json[] => [
    { resource: { vault_mount: { kv: { path: "kv", options: { version: "1" } } } } },
    { resource: { vault_mount: { other: { path: "o" } }, vault_policy: { p: { name: "p" } } } },
    { resource: { vault_mount: { kv: { description: "d", options: { x: "y" } } } }, moved: [{ to: "a" }] },
    { moved: [{ to: "b" }], terraform: { required_providers: { vault: { source: "hashicorp/vault" } } } },
    { terraform: "scalar over an object" },
    { locals: { a: 1 }, output: { o: { value: "v" } } },
  ];
  test("GIVEN resolved fragments THEN the result equals cdktf's deepMerge of them, in the same key order", () => {
    const ours: Json = { "//": { metadata: {} } };
    for (const f of fragments()) mergeResolvedFragment(ours, f);
    const theirs: Json = { "//": { metadata: {} } };
    for (const f of fragments()) deepMerge(theirs, f);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(ours.moved).toEqual([{ to: "a" }, { to: "b" }]);
  });

  test("GIVEN a key the target lacks THEN the fragment's object is taken over, not copied", () => {
    const block = { kv: { path: "kv" } };
    const target: Json = {};
    mergeResolvedFragment(target, { resource: { vault_mount: block } });
    expect((target.resource as Json).vault_mount).toBe(block);
  });
});

describe("setOverride", () => {
  test("GIVEN dotted paths THEN the tree holds them as TerraformStack.addOverride records them", () => {
    const tree: Json = { a: "scalar", l: [1] };
    setOverride(tree, "terraform.required_providers.vault.version", "5.0.0");
    setOverride(tree, "terraform.required_providers.vault.source", undefined);
    setOverride(tree, "a.b", 1);
    setOverride(tree, "l.x", 2);
    setOverride(tree, "top", { o: 1 });
    expect(tree).toEqual({
      terraform: { required_providers: { vault: { version: "5.0.0", source: undefined } } },
      a: { b: 1 },
      l: { x: 2 },
      top: { o: 1 },
    });
    const vault = ((tree.terraform as Json).required_providers as Json).vault as Json;
    expect(Object.keys(vault)).toEqual(["version", "source"]); // kept: merged, it deletes the key
  });
});

describe("nestedByPath", () => {
  test("GIVEN a construct path THEN the leaf is nested under each segment", () => {
    expect(nestedByPath(["stack", "Tenant", "out"], "Tenant_out_1234")).toEqual({
      stack: { Tenant: { out: "Tenant_out_1234" } },
    });
    expect(nestedByPath(["out"], "out")).toEqual({ out: "out" });
  });
});
