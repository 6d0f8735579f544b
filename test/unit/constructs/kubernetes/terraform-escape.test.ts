import {
  escapeTerraformLiteral,
  unescapeTerraformLiteral,
} from "../../../../constructs/kubernetes/terraform-escape";

describe("escapeTerraformLiteral", () => {
  test("GIVEN an ${ENV} reference WHEN escaped THEN Terraform reads it as literal text", () => {
    expect(escapeTerraformLiteral("address: ${KEYSERVER_ADDRESS}")).toBe("address: $${KEYSERVER_ADDRESS}");
  });

  test("GIVEN a template directive WHEN escaped THEN it is doubled", () => {
    expect(escapeTerraformLiteral("%{if x}")).toBe("%%{if x}");
  });

  test("GIVEN JavaScript template literals WHEN escaped and unescaped THEN the text is unchanged", () => {
    const js = "const a = `${b}%{c}$$${d}`;";
    expect(unescapeTerraformLiteral(escapeTerraformLiteral(js))).toBe(js);
  });

  test("GIVEN text without $ or % braces WHEN escaped THEN it is unchanged", () => {
    expect(escapeTerraformLiteral("kv/payments/$x %d {y}")).toBe("kv/payments/$x %d {y}");
  });
});
