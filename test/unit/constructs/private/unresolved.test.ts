import { Lazy, TerraformStack, Testing, Token } from "cdktf";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { isUnresolvedToken } from "../../../../constructs/private/unresolved";

// The cdktf-free check must agree with cdktf's own Token.isUnresolved on every kind of token and on literals
// that look almost like one; a cdktf upgrade that changes the encoding fails here.
describe("isUnresolvedToken", () => {
  const stack = new TerraformStack(Testing.app(), "s");
  const policy = new Policy(stack, "p", { name: "n", policy: "x" });

  const tokens: ReadonlyArray<[string, unknown]> = [
    ["a resource string attribute", policy.name],
    ["a string embedded in a literal", `prefix-${policy.name}-suffix`],
    ["Token.asString", Token.asString(Lazy.anyValue({ produce: () => "v" }))],
    ["Token.asNumber", Token.asNumber(Lazy.anyValue({ produce: () => 1 }))],
    ["Lazy.numberValue", Lazy.numberValue({ produce: () => 3 })],
    ["Token.asList", Token.asList(Lazy.anyValue({ produce: () => ["a"] }))],
    ["Token.asNumberList", Token.asNumberList(Lazy.anyValue({ produce: () => [1] }))],
    ["Token.asStringMap", Token.asStringMap(Lazy.anyValue({ produce: () => ({ a: "b" }) }))],
    ["a resolvable object", Lazy.anyValue({ produce: () => "v" })],
  ];
  const literals: ReadonlyArray<[string, unknown]> = [
    ["a plain string", "payments"],
    ["an interpolation that is not a token", "${var.prefix}"],
    ["a marker with a bad key", "${TfToken[a b]}"],
    ["zero", 0],
    ["a large negative number", -1.8881545897087968e289],
    ["NaN", NaN],
    ["a list of two strings", ["a", "b"]],
    ["a one-element list", ["a"]],
    ["an empty list", []],
    ["a plain object", { a: "b" }],
    ["null", null],
    ["undefined", undefined],
    ["a boolean", true],
  ];

  test.each(tokens)("GIVEN %s WHEN checked THEN it is a token, as cdktf says", (_name, value) => {
    expect(Token.isUnresolved(value)).toBe(true);
    expect(isUnresolvedToken(value)).toBe(true);
  });

  test.each(literals)("GIVEN %s WHEN checked THEN it is not a token, as cdktf says", (_name, value) => {
    expect(Token.isUnresolved(value)).toBe(false);
    expect(isUnresolvedToken(value)).toBe(false);
  });
});
