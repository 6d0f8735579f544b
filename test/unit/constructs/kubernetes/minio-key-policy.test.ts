import { checkKeyName, minioKeyPolicy } from "../../../../constructs/kubernetes/minio-key-policy";

describe("minioKeyPolicy", () => {
  test("GIVEN a tenant prefix WHEN the policy is built THEN every key route MinIO calls is allowed on that prefix only", () => {
    const p = minioKeyPolicy("payments-");
    const keyRoutes = p.allow.filter((a) => a.startsWith("/v1/key/"));
    expect(keyRoutes).toEqual(
      ["create", "generate", "encrypt", "decrypt", "hmac", "describe", "list"].map(
        (r) => `/v1/key/${r}/payments-*`,
      ),
    );
  });

  test("GIVEN a tenant prefix WHEN the policy is built THEN status, metrics and the API list are allowed", () => {
    expect(minioKeyPolicy("payments-").allow).toEqual(
      expect.arrayContaining(["/v1/status", "/v1/metrics", "/v1/api"]),
    );
  });

  test("GIVEN any prefix WHEN the policy is built THEN delete is denied and never allowed", () => {
    const p = minioKeyPolicy("a-");
    expect(p.deny).toEqual(["/v1/key/delete/*"]);
    expect(p.allow.some((a) => a.includes("delete"))).toBe(false);
  });

  test("fails when the prefix holds a slash", () => {
    expect(() => minioKeyPolicy("pay/ments-")).toThrow(
      'keyNamePrefix "pay/ments-" must be 1 to 60 characters of [0-9A-Za-z_-], not starting with "-"',
    );
  });

  test("fails when the prefix is empty, which would allow every key", () => {
    expect(() => minioKeyPolicy("")).toThrow('keyNamePrefix "" must be 1 to 60 characters');
  });
});

describe("checkKeyName", () => {
  test("fails when the key name ends with a dash", () => {
    expect(() => checkKeyName("defaultKeyName", "payments-")).toThrow(
      'defaultKeyName "payments-" is not a valid key name',
    );
  });

  test("GIVEN a valid name WHEN checked THEN it passes", () => {
    expect(() => checkKeyName("defaultKeyName", "payments-default")).not.toThrow();
  });
});
