import { firstJsonValue, parseJsonObject } from "../../../../runtime/src/api/body";

describe("firstJsonValue (Go json.Decoder: the first value, the rest unread)", () => {
  test.each([
    ['{"a":1}', '{"a":1}'],
    ['  {"a":1} trailing', '{"a":1}'],
    ['{"a":"}"}}', '{"a":"}"}'],
    ['{"a":"\\"}"}x', '{"a":"\\"}"}'],
    ["[1,[2]]]", "[1,[2]]"],
    ['"s"x', '"s"'],
    ["nullx", "null"],
    ["null}", "null"],
    ["true false", "true"],
    ["-1.5e3x", "-1.5e3"],
  ])("GIVEN %j THEN the value is %j", (text, value) => {
    expect(firstJsonValue(text)).toBe(value);
  });

  test.each([[""], ["  \n"], ['{"a":1'], ['"open']])("fails when %j holds no complete value", (text) => {
    expect(() => firstJsonValue(text)).toThrow();
  });
});

describe("parseJsonObject", () => {
  test("GIVEN an object followed by garbage THEN its fields", () => {
    expect(parseJsonObject(Buffer.from('{"plaintext":"aGk="}garbage'))).toEqual({ plaintext: "aGk=" });
  });

  test("GIVEN null followed by data THEN no fields", () => {
    expect(parseJsonObject(Buffer.from("nullx"))).toEqual({});
  });

  test("fails when the first value is not an object", () => {
    expect(() => parseJsonObject(Buffer.from("[] x"))).toThrow("request body must be a JSON object");
  });

  test("fails when an invalid literal starts the body", () => {
    expect(() => parseJsonObject(Buffer.from("nul}"))).toThrow();
  });

  test("GIVEN bodies that are exactly one JSON value WHEN parsed THEN the fields equal the first value's", () => {
    const bodies = [
      '{"context":"aGk=","x":[1,{"y":"}"}]}',
      ' \t\r\n{"a":"\\\"}"} \n',
      "null",
      '{"a":1,"a":2}',
      "{}",
    ];
    for (const b of bodies) {
      expect(parseJsonObject(Buffer.from(b))).toEqual(JSON.parse(firstJsonValue(b)) ?? {});
    }
  });

  test("fails for a byte order mark before the object, as Go does", () => {
    expect(() => parseJsonObject(Buffer.from('\ufeff{"a":1}'))).toThrow();
  });
});
