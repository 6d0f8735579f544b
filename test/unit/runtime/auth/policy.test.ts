import { isAllowed, matchPattern } from "../../../../runtime/src/auth/policy";
import { buildPolicySet } from "../../../../runtime/src/auth/policy-set";

const ID_A = "a".repeat(64);
const ID_B = "b".repeat(64);
const ADMIN = "c".repeat(64);

describe("matchPattern", () => {
  test("GIVEN an exact pattern WHEN the path is equal THEN it matches", () => {
    expect(matchPattern("/v1/key/create/k1", "/v1/key/create/k1")).toBe(true);
  });

  test("GIVEN an exact pattern WHEN the path only starts with it THEN it does not match", () => {
    expect(matchPattern("/v1/key/create/k1", "/v1/key/create/k10")).toBe(false);
  });

  test("GIVEN a trailing star WHEN the path has that prefix THEN it matches", () => {
    expect(matchPattern("/v1/key/generate/minio-*", "/v1/key/generate/minio-default")).toBe(true);
  });

  test("GIVEN a star in the middle WHEN matched THEN the star is literal", () => {
    expect(matchPattern("/v1/key/*/k1", "/v1/key/create/k1")).toBe(false);
    expect(matchPattern("/v1/key/*/k1", "/v1/key/*/k1")).toBe(true);
  });

  test("GIVEN an empty pattern WHEN matched against any path THEN it never matches", () => {
    expect(matchPattern("", "")).toBe(false);
    expect(matchPattern("", "/v1/status")).toBe(false);
  });
});

describe("isAllowed", () => {
  test("GIVEN allow and deny both matching WHEN checked THEN deny wins", () => {
    expect(isAllowed({ allow: ["/v1/key/*"], deny: ["/v1/key/delete/*"] }, "/v1/key/delete/k1")).toBe(false);
  });

  test("GIVEN an allow match and no deny match WHEN checked THEN the path is allowed", () => {
    expect(isAllowed({ allow: ["/v1/key/*"], deny: ["/v1/key/delete/*"] }, "/v1/key/generate/k1")).toBe(true);
  });

  test("GIVEN an empty policy WHEN checked THEN nothing is allowed", () => {
    expect(isAllowed({ allow: [], deny: [] }, "/v1/status")).toBe(false);
  });

  test("GIVEN patterns of every kind WHEN checked THEN the compiled policy decides as matchPattern does", () => {
    const patterns = [
      "",
      "*",
      "/v1/key/*",
      "/v1/key/generate/my-*",
      "/v1/key/*/k1",
      "/v1/status",
      "/v1/key/create/k1",
    ];
    const paths = [
      "",
      "/v1/status",
      "/v1/status/",
      "/v1/key/create/k1",
      "/v1/key/create/k10",
      "/v1/key/*/k1",
      "/v1/key/generate/my-key",
      "/v1/key/generate/my",
      "/v1/identity/self/describe",
    ];
    const reference = (allow: string[], deny: string[], path: string) =>
      !deny.some((p) => matchPattern(p, path)) && allow.some((p) => matchPattern(p, path));
    let checked = 0;
    for (const a of patterns) {
      for (const d of patterns) {
        const allow = [a, "/v1/status"];
        const deny = d === "" ? [] : [d];
        const policy = { allow, deny };
        for (const path of paths) {
          expect([a, d, path, isAllowed(policy, path)]).toEqual([a, d, path, reference(allow, deny, path)]);
          checked++;
        }
      }
    }
    expect(checked).toBe(patterns.length * patterns.length * paths.length);
  });
});

describe("buildPolicySet", () => {
  test("GIVEN two policies WHEN indexed THEN each identity maps to its policy", () => {
    const set = buildPolicySet(
      {
        minio: { allow: ["/v1/key/*"], deny: [], identities: [ID_A] },
        ops: { allow: ["/v1/status"], deny: [], identities: [ID_B] },
      },
      ADMIN,
    );
    expect(set.identities.get(ID_A)).toBe("minio");
    expect(set.identities.get(ID_B)).toBe("ops");
    expect(set.policies.get("ops")).toEqual({ allow: ["/v1/status"], deny: [] });
  });

  test("fails when an identity is assigned to two policies", () => {
    expect(() =>
      buildPolicySet(
        { p1: { allow: [], deny: [], identities: [ID_A] }, p2: { allow: [], deny: [], identities: [ID_A] } },
        ADMIN,
      ),
    ).toThrow(
      `policy.p2.identities: identity '${ID_A}' already has policy 'p1': assign each identity to exactly one policy`,
    );
  });

  test("fails when a policy identity is the admin", () => {
    expect(() => buildPolicySet({ p1: { allow: [], deny: [], identities: [ADMIN] } }, ADMIN)).toThrow(
      `policy.p1.identities: identity '${ADMIN}' is already admin: remove it from the policy or change admin.identity`,
    );
  });

  test("fails when a policy name is invalid", () => {
    expect(() => buildPolicySet({ "bad/name": { allow: [], deny: [], identities: [] } }, ADMIN)).toThrow(
      "policy.bad/name: policy name 'bad/name' is empty, too long or contains invalid characters: use 1-80 characters of [0-9A-Za-z_-]",
    );
  });

  test("fails when an identity is not a valid name", () => {
    expect(() => buildPolicySet({ p1: { allow: [], deny: [], identities: ["not hex!"] } }, ADMIN)).toThrow(
      "policy.p1.identities: identity 'not hex!' is empty, too long or contains invalid characters",
    );
  });
});
