// blockYaml writes what yaml's stringify(value, { lineWidth: 0 }) writes, or leaves the value to it.
import { stringify } from "yaml";
import { blockYaml } from "../../../../runtime/src/config/block-yaml";

const library = (v: unknown) => stringify(v, { lineWidth: 0 });

describe("blockYaml", () => {
  test("GIVEN a config of maps, lists, booleans and plain strings THEN the text equals the library's", () => {
    const config = {
      version: "v1",
      address: "${KEYSERVER_ADDRESS}",
      admin: { identity: "disabled" },
      tls: { key: "/etc/keyserver/tls/tls.key", auth: "off" },
      policy: {
        minio: {
          allow: ["/v1/key/create/t0000-*", "/v1/status"],
          deny: ["/v1/key/delete/*"],
          identities: [{ cert: "/etc/keyserver/clients/minio.crt" }, { api_key: "${API_KEY}", x: "y" }],
        },
      },
      api: { "/v1/ready": { skip_auth: true }, "/v1/metrics": { skip_auth: false } },
      keystore: { vault: { endpoint: "https://vault.vault.svc:8200", approle: { id: "${ROLE_ID}" } } },
      nested: [{ a: { b: { c: "d" } }, e: ["f", "g"] }],
    };
    const text = blockYaml(config);
    expect(text).toBeDefined();
    expect(text).toBe(library(config));
  });

  test.each([
    ["an empty map", { a: {} }],
    ["an empty list", { a: [] }],
    ["a list in a list", { a: [["b"]] }],
    ["a number", { a: 1 }],
    ["null", { a: null }],
    ["a string YAML reads as a boolean", { a: "true" }],
    ["a string YAML reads as null", { a: "Null" }],
    ["a string YAML reads as a number", { a: "0x1f" }],
    ["a string with a space", { a: "b c" }],
    ["a string with ': '", { a: "b:" }],
    ["a string starting with an indicator", { a: "*b" }],
    ["an empty string", { a: "" }],
    ["a key with a space", { "a b": "c" }],
    ["a multi-line string", { a: "b\nc" }],
  ])("GIVEN %s THEN it is left to the library", (_name, value) => {
    expect(blockYaml(value)).toBeUndefined();
  });

  test("GIVEN random values THEN whatever it writes equals the library's text", () => {
    // Deterministic pseudo-random values over an alphabet of YAML's special characters.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = "aZ_/$09.-*:#' \",{}[]&!|>%@`?~=+\\\n\ttrueNnul";
    const str = () => Array.from({ length: 1 + rand(8) }, () => alphabet[rand(alphabet.length)]).join("");
    const words = ["true", "false", "null", "off", "v1", "1e5", ".inf", "-", "a:", "a: b", "${X}", "/v1/*"];
    const scalar = (): unknown => {
      const k = rand(10);
      return k < 5 ? str() : k < 8 ? words[rand(words.length)] : k < 9 ? rand(2) === 0 : rand(100);
    };
    const value = (depth: number): unknown => {
      const k = rand(depth > 3 ? 1 : 4);
      if (k === 0) return scalar();
      if (k === 1) return Array.from({ length: rand(3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(4) }, () => [str(), value(depth + 1)]));
    };
    let written = 0;
    for (let i = 0; i < 3000; i++) {
      const v = Object.fromEntries(Array.from({ length: 1 + rand(3) }, () => [str(), value(1)]));
      const ours = blockYaml(v);
      if (ours === undefined) continue;
      written++;
      expect([v, ours]).toEqual([v, library(v)]);
    }
    expect(written).toBeGreaterThan(100); // the comparison covers many written values
  });
});
