import * as fs from "node:fs";
import * as path from "node:path";
import {
  KeystoreSpec,
  KvVersion,
  renderPolicyHcl,
  keystorePolicyRules,
  type KeystoreSpecProps,
} from "../../../../constructs/spec";

// Golden policies for K/V v1/v2 x prefix / namespace / namespace with the auth mount in the root x transit.
// The files in golden/ were reviewed line by line against DESIGN.md "Facts" and KES-PROTOCOL.md §5; a change in
// the renderer must show up as a diff there.
const versions: ReadonlyArray<[string, KvVersion]> = [
  ["v1", KvVersion.V1],
  ["v2", KvVersion.V2],
];
const modes: ReadonlyArray<[string, Partial<KeystoreSpecProps>]> = [
  ["prefix", {}],
  ["namespace", { namespace: "tenant-payments" }],
  ["namespace-root-auth", { namespace: "tenants/payments", authNamespace: "/" }],
];
const transits: ReadonlyArray<[string, Partial<KeystoreSpecProps>]> = [
  ["plain", {}],
  ["transit", { transit: { key: "kes-payments" } }],
];

const cases = versions.flatMap(([v, kvVersion]) =>
  modes.flatMap(([m, mode]) =>
    transits.map(
      ([t, transit]) => [`${v}-${m}-${t}`, { prefix: "payments", kvVersion, ...mode, ...transit }] as const,
    ),
  ),
);

describe("keystore policy golden files", () => {
  test.each(cases)(
    "GIVEN the %s spec WHEN its policy is rendered THEN it equals the golden file",
    (name, props) => {
      const hcl = renderPolicyHcl(keystorePolicyRules(new KeystoreSpec(props)));
      expect(hcl).toBe(fs.readFileSync(path.join(__dirname, "golden", `${name}.hcl`), "utf8"));
    },
  );
});

describe("renderPolicyHcl", () => {
  test("GIVEN a header WHEN rendered THEN it comes first as a comment", () => {
    expect(renderPolicyHcl([{ path: "a/*", capabilities: ["read"], reason: "r" }], "title")).toBe(
      '# title\n\n# r\npath "a/*" {\n  capabilities = ["read"]\n}\n',
    );
  });

  test("fails when a path contains a quote", () => {
    expect(() => renderPolicyHcl([{ path: 'a"b', capabilities: ["read"], reason: "r" }])).toThrow(
      'policy path "a\\"b" contains a quote, backslash or newline: fix the keystore spec',
    );
  });
});
