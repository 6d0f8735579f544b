import { errorBody, goJsonLine, goTime } from "../../../../runtime/src/server/json";

describe("errorBody", () => {
  test('GIVEN a message WHEN encoded THEN the bytes are KES\' {"message":...\\n}', () => {
    expect(errorBody("key does not exist").toString("utf8")).toBe('{"message":"key does not exist"\n}');
  });

  test("GIVEN quotes and HTML characters WHEN encoded THEN they are escaped as Go escapes them", () => {
    expect(errorBody(`key name 'a<b>&"c' is empty`).toString("utf8")).toBe(
      '{"message":"key name \'a\\u003cb\\u003e\\u0026\\"c\' is empty"\n}',
    );
  });

  test("GIVEN a line separator WHEN encoded THEN it is escaped", () => {
    expect(errorBody("a\u2028b").toString("utf8")).toBe('{"message":"a\\u2028b"\n}');
  });
});

describe("goJsonLine", () => {
  test("GIVEN a value WHEN encoded THEN it ends with one newline", () => {
    expect(goJsonLine({ names: ["a"] }).toString()).toBe('{"names":["a"]}\n');
  });
});

describe("goTime", () => {
  test("GIVEN whole seconds WHEN formatted THEN no fraction is written", () => {
    expect(goTime(new Date("2024-05-01T12:34:56.000Z"))).toBe("2024-05-01T12:34:56Z");
  });

  test("GIVEN milliseconds WHEN formatted THEN trailing zeros are trimmed", () => {
    expect(goTime(new Date("2024-05-01T12:34:56.120Z"))).toBe("2024-05-01T12:34:56.12Z");
  });

  test("GIVEN nanoseconds WHEN formatted THEN all nine digits are used, trimmed", () => {
    expect(goTime(new Date("2024-05-01T12:34:56.123Z"), 123456780)).toBe("2024-05-01T12:34:56.12345678Z");
  });
});
