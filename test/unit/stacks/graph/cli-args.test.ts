import { parseGraphArgs } from "../../../../stacks/graph/cli";

describe("graph command line", () => {
  test("GIVEN every option WHEN parsed THEN the files, the directory and the fonts are returned", () => {
    expect(
      parseGraphArgs([
        "--tenants",
        "t.yaml",
        "--outputs",
        "o.json",
        "--out",
        "docs",
        "--font",
        "a.ttf",
        "--font",
        "b.ttf",
      ]),
    ).toEqual({ tenants: "t.yaml", outputs: "o.json", out: "docs", fonts: ["a.ttf", "b.ttf"] });
  });

  test("fails when --out is missing", () => {
    expect(() => parseGraphArgs(["--tenants", "t.yaml"])).toThrow(
      "--tenants and --out are required: usage: npm run graph",
    );
  });

  test("fails when an option is unknown or lacks its value", () => {
    expect(() => parseGraphArgs(["--tenant", "t.yaml"])).toThrow("unknown option --tenant");
    expect(() => parseGraphArgs(["--tenants", "--out", "d"])).toThrow("--tenants needs a value");
  });
});
