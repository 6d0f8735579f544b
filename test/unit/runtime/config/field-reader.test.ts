import { FieldReader } from "../../../../runtime/src/config/field-reader";
import { parseConfig } from "../../../../runtime/src/config/parse";
import { keystoreStackSettingsFromEnv } from "../../../../stacks/keystore-stack-env";
import { validateTenantsFile } from "../../../../shared/tenants-file";

const strict = (doc: unknown, prefix = "") => FieldReader.of(doc, "doc", { prefix });
const lenient = (doc: unknown, env: Record<string, string> = {}) =>
  FieldReader.of(doc, "doc", { lenient: true, env });

describe("FieldReader", () => {
  test("fails when the document is not a mapping, naming it and what was expected", () => {
    expect(() => FieldReader.of([1], "tenants file", { expected: " with tenants" })).toThrow(
      "tenants file must be a mapping with tenants, got [1]",
    );
    expect(() => strict(null)).toThrow("doc must be a mapping, got null");
  });

  test("GIVEN absent or null fields WHEN read THEN they read as undefined (and empty children)", () => {
    const r = strict({ a: null });
    expect(r.str("a")).toBeUndefined();
    expect(r.int("b", 1, 2)).toBeUndefined();
    expect(r.bool("a")).toBeUndefined();
    expect(r.strings("a")).toBeUndefined();
    expect(r.optionalChild("a")).toBeUndefined();
    expect(r.child("a").keys()).toEqual([]);
    expect(r.child("a").field("x")).toBe("a.x");
  });

  test.each([
    ["str", { f: 1 }, (r: FieldReader) => r.str("f"), "p.f must be a string, got 1"],
    [
      "str with hint",
      { f: 1 },
      (r: FieldReader) => r.str("f", { hint: "must be a name: e.g. x" }),
      "p.f 1 must be a name: e.g. x",
    ],
    [
      "pattern",
      { f: "A" },
      (r: FieldReader) => r.str("f", { pattern: /^[a-z]$/, hint: "must be one letter" }),
      'p.f "A" must be one letter',
    ],
    ["int range", { f: 0 }, (r: FieldReader) => r.int("f", 1, 3), "p.f 0 must be a whole number from 1 to 3"],
    [
      "int fraction",
      { f: 1.5 },
      (r: FieldReader) => r.int("f", 1, 3),
      "p.f 1.5 must be a whole number from 1 to 3",
    ],
    ["num", { f: "1" }, (r: FieldReader) => r.num("f"), 'p.f must be a number, got "1"'],
    ["bool", { f: "yes" }, (r: FieldReader) => r.bool("f"), 'p.f "yes" must be true or false'],
    ["strings", { f: [1] }, (r: FieldReader) => r.strings("f"), "p.f must be a list of strings, got [1]"],
    [
      "strings problem",
      { f: ["ok", "BAD"] },
      (r: FieldReader) =>
        r.strings("f", { problem: (v) => (v === "BAD" ? "is bad" : undefined), example: '"ok"' }),
      'p.f[1] "BAD" is bad: use e.g. "ok"',
    ],
    ["child", { f: 3 }, (r: FieldReader) => r.child("f"), "p.f must be a mapping, got 3"],
    ["list", { f: 3 }, (r: FieldReader) => r.list("f"), "p.f must be a list, got 3"],
    ["item", { f: [3] }, (r: FieldReader) => r.item("f", 0, 3), "p.f[0] must be a mapping, got 3"],
    ["required", { f: " " }, (r: FieldReader) => r.required("f", "name it"), "p.f is required: name it"],
    ["unknown", { f: 1, g: 2 }, (r: FieldReader) => r.known("f"), "p.g is not a known field: use one of f"],
    [
      "duration",
      { f: "5x" },
      (r: FieldReader) => r.durationMs("f"),
      'p.f "5x" is not a duration: use Go syntax such as 30s, 5m or 1h30m',
    ],
  ])("strict: fails when %s is wrong, naming the field, the value and the fix", (_, doc, read, message) => {
    expect(() => read(strict(doc, "p."))).toThrow(message);
  });

  test("GIVEN the lenient rules WHEN scalars are read THEN KES' coercions and ${ENV} apply", () => {
    const r = lenient({ s: 5, t: true, b: "On", n: "off", e: "${SECRET}", d: "1m30s" }, { SECRET: "x" });
    expect(r.str("s")).toBe("5");
    expect(r.str("t")).toBe("true");
    expect(r.bool("b")).toBe(true);
    expect(r.bool("n")).toBe(false);
    expect(r.str("e")).toBe("x");
    expect(r.durationMs("d")).toBe(90_000);
    expect(() => lenient({ e: "${UNSET}" }).str("e")).toThrow(
      'e: referenced environment variable "UNSET" is not set',
    );
  });

  test("GIVEN the strict rules WHEN a number stands for a string THEN it is refused, and ${ENV} is left alone", () => {
    expect(() => strict({ s: 5 }).str("s")).toThrow("s must be a string, got 5");
    expect(strict({ e: "${HOME}" }).str("e")).toBe("${HOME}");
  });

  test("GIVEN the three inputs the kit reads WHEN each has an unknown field THEN they say it the same way", () => {
    const messages = [
      () =>
        validateTenantsFile({ vault: { endpoint: "http://v:8200", colour: 1 }, tenants: [{ name: "a" }] }),
      () => keystoreStackSettingsFromEnv({ KVK_KEYSTORE: '{"colour":1}' }),
      () =>
        parseConfig(
          "admin: { identity: disabled }\ntls: { key: k, cert: c, colour: 1 }\nkeystore: { fs: { path: p } }\n",
          {},
        ),
    ].map((f) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages[0]).toMatch(/^vault\.colour is not a known field: use one of endpoint, /);
    expect(messages[1]).toMatch(/^KVK_KEYSTORE\.colour is not a known field: use one of kvEngine, /);
    // The key server's config reads KES' files, which may carry fields of other KES versions: unknown ones pass.
    expect(messages[2]).toBe("no error");
  });
});
