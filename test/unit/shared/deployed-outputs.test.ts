import { parseDeployedOutputs } from "../../../shared/deployed-outputs";

describe("deployed outputs", () => {
  test("GIVEN the rollout's outputs file WHEN read THEN only the endpoints are kept", () => {
    const m = parseDeployedOutputs(
      JSON.stringify({
        payments: {
          key_server_endpoints: ["https://keyserver.payments.svc.cluster.local:7373"],
          minio_endpoint: "http://minio.payments.svc.cluster.local:9000",
          role_id: "role-id-value",
        },
      }),
    );
    expect([...m.entries()]).toEqual([
      [
        "payments",
        {
          keyServerEndpoints: ["https://keyserver.payments.svc.cluster.local:7373"],
          minioEndpoint: "http://minio.payments.svc.cluster.local:9000",
        },
      ],
    ]);
  });

  test("fails when the file is not JSON", () => {
    expect(() => parseDeployedOutputs("{", "outputs file o.json")).toThrow(
      /^outputs file o.json: invalid JSON: /,
    );
  });

  test("fails when the file is not an object keyed by tenant", () => {
    expect(() => parseDeployedOutputs("[]")).toThrow("must be an object keyed by tenant name");
  });

  test("fails when an endpoint is not an http(s) address", () => {
    expect(() =>
      parseDeployedOutputs(JSON.stringify({ a: { key_server_endpoints: ["keyserver:7373"] } })),
    ).toThrow('tenant "a": key_server_endpoints[0] "keyserver:7373" must be an http(s) address');
    expect(() => parseDeployedOutputs(JSON.stringify({ a: { minio_endpoint: 9000 } }))).toThrow(
      'tenant "a": minio_endpoint 9000 must be an http(s) address',
    );
  });
});
