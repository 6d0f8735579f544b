import { alignedTableLines } from "../../../shared/text-table";

describe("alignedTableLines", () => {
  test("GIVEN cells of different widths WHEN rendered THEN columns line up at their widest cell, two spaces apart", () => {
    const lines = alignedTableLines(
      ["tenant", "result", "notes"],
      [
        ["payments", "ok", ""],
        ["a", "failed", "Vault unreachable"],
      ],
    );
    expect(lines).toEqual(["tenant    result  notes", "payments  ok", "a         failed  Vault unreachable"]);
  });

  test("GIVEN a last cell wider than its header WHEN rendered THEN it is not padded and no line ends in spaces", () => {
    const lines = alignedTableLines(
      ["x", "y"],
      [
        ["1", "a long reason"],
        ["22", ""],
      ],
    );
    expect(lines).toEqual(["x   y", "1   a long reason", "22"]);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  test("GIVEN no rows WHEN rendered THEN only the header", () => {
    expect(alignedTableLines(["tenant", "step"], [])).toEqual(["tenant  step"]);
  });
});
