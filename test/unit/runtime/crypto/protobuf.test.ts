import { ProtoWriter, readProtoFields, toInt64 } from "../../../../runtime/src/crypto/protobuf";
import { parseRfc3339, toTimestamp } from "../../../../runtime/src/crypto/timestamp";

describe("protobuf wire format", () => {
  test("GIVEN 1700000000 WHEN written as a varint field THEN the bytes are 08 80 e2 cf aa 06", () => {
    expect(new ProtoWriter().uint(1, 1_700_000_000).finish().toString("hex")).toBe("0880e2cfaa06");
  });

  test("GIVEN a negative int64 WHEN written and read THEN it takes 10 bytes and reads back as int64", () => {
    const bytes = new ProtoWriter().uint(1, -62135596800n).finish();
    expect(bytes.length).toBe(11);
    const [f] = readProtoFields(bytes);
    expect(toInt64(f.value as bigint)).toBe(-62135596800n);
  });

  test("GIVEN unknown fixed32, fixed64 and bytes fields WHEN read THEN they are skipped over, not fatal", () => {
    const known = new ProtoWriter().uint(2, 7).finish();
    const unknown = Buffer.from([0x2d, 1, 2, 3, 4, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3a, 1, 9]);
    const fields = readProtoFields(Buffer.concat([unknown, known]));
    expect(fields.map((f) => f.field)).toEqual([5, 6, 7, 2]);
  });

  test("fails when a varint runs longer than 10 bytes", () => {
    expect(() => readProtoFields(Buffer.from([0x08, ...Array(11).fill(0xff)]))).toThrow(
      "protobuf: varint longer than 10 bytes",
    );
  });

  test("fails when a group (wire type 3) appears", () => {
    expect(() => readProtoFields(Buffer.from([0x0b]))).toThrow(
      "protobuf: unsupported wire type 3 for field 1",
    );
  });
});

describe("timestamps", () => {
  test.each([
    ["2024-05-01T12:34:56.123456789Z", "2024-05-01T12:34:56.123Z", 123456789],
    ["2024-05-01T12:34:56Z", "2024-05-01T12:34:56.000Z", 0],
    ["2024-05-01T14:34:56.5+02:00", "2024-05-01T12:34:56.500Z", 500000000],
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", 0],
  ])("GIVEN %s WHEN parsed THEN it is %s with %i ns", (text, iso, nanos) => {
    const t = parseRfc3339(text);
    expect([t.date.toISOString(), t.nanos]).toEqual([iso, nanos]);
  });

  test("fails when the text is not RFC 3339, showing it and an example", () => {
    expect(() => parseRfc3339("yesterday")).toThrow(
      'invalid time "yesterday": expected RFC 3339 such as 2024-05-01T12:34:56.123456789Z',
    );
  });

  test("GIVEN nanos that disagree with the date's milliseconds WHEN splitting THEN the date wins", () => {
    expect(toTimestamp(new Date(1500), 7)).toEqual({ seconds: 1n, nanos: 500_000_000 });
  });

  test("GIVEN a time before 1970 WHEN splitting THEN seconds round down and nanos stay positive", () => {
    expect(toTimestamp(new Date(-1500))).toEqual({ seconds: -2n, nanos: 500_000_000 });
  });
});
