// The outputs files the doctor reads (the rollout's and cdktf's), the --connect-to map, the Service names.
import { serviceDnsNames } from "../../../doctor/checks";
import { connectTarget, parseConnectTo } from "../../../doctor/net";
import { parseTenantOutputs } from "../../../doctor/outputs";

describe("parseTenantOutputs", () => {
  const tenantOutputs = {
    key_server_endpoints: ["https://keyserver.pay-ns.svc.cluster.local:7373"],
    minio_endpoint: "http://minio.pay-ns.svc.cluster.local:9000",
    role_id: "role-1",
    default_key_name: "pay-api-default",
  };

  test("GIVEN the rollout's outputs file WHEN read THEN each tenant's endpoints, role-id and default key are there", () => {
    const out = parseTenantOutputs(JSON.stringify({ "pay-api": tenantOutputs }), ["pay-api"]);
    expect(out.get("pay-api")).toEqual({
      keyServerEndpoints: tenantOutputs.key_server_endpoints,
      minioEndpoint: tenantOutputs.minio_endpoint,
      roleId: "role-1",
      defaultKeyName: "pay-api-default",
    });
  });

  test("GIVEN cdktf's outputs file (stack, construct id, <tenant>_<output>) WHEN read THEN the same values come out", () => {
    const cdktf = {
      tenants: {
        "pay-api": Object.fromEntries(Object.entries(tenantOutputs).map(([k, v]) => [`pay_api_${k}`, v])),
      },
    };
    const out = parseTenantOutputs(JSON.stringify(cdktf), ["pay-api"]);
    expect(out.get("pay-api")?.keyServerEndpoints).toEqual(tenantOutputs.key_server_endpoints);
    expect(out.get("pay-api")?.roleId).toBe("role-1");
  });

  test("GIVEN a tenant missing from the file WHEN read THEN the error names it and says how to deploy it or leave it out", () => {
    expect(() =>
      parseTenantOutputs(JSON.stringify({ other: tenantOutputs }), ["pay-api"], "out.json"),
    ).toThrow(
      'out.json: no outputs for tenant "pay-api": deploy it first (npm run rollout -- deploy --outputs-file out.json), or leave it out with --tenant',
    );
  });

  test("GIVEN an endpoint that is not an address WHEN read THEN the graph's reader rejects it by field", () => {
    expect(() =>
      parseTenantOutputs(JSON.stringify({ a: { key_server_endpoints: ["keyserver:7373"] } }), ["a"]),
    ).toThrow(/tenant "a": key_server_endpoints\[0\] "keyserver:7373" must be an http\(s\) address/);
  });
});

describe("--connect-to", () => {
  test("GIVEN a mapping WHEN a URL of the mapped host and port is resolved THEN the target is used, other URLs are left alone", () => {
    const map = parseConnectTo(["keyserver.a.svc:7373=127.0.0.1:40001"]);
    expect(connectTarget(new URL("https://keyserver.a.svc:7373/v1/ready"), map)).toEqual({
      host: "127.0.0.1",
      port: 40001,
    });
    expect(connectTarget(new URL("https://keyserver.b.svc:7373"), map)).toEqual({
      host: "keyserver.b.svc",
      port: 7373,
    });
    expect(connectTarget(new URL("https://vault.example"), map)).toEqual({
      host: "vault.example",
      port: 443,
    });
  });

  test("GIVEN a malformed mapping WHEN parsed THEN the error shows the form and an example", () => {
    expect(() => parseConnectTo(["keyserver=127.0.0.1"])).toThrow(
      '--connect-to "keyserver=127.0.0.1" must be HOST:PORT=HOST2:PORT2, e.g. keyserver.demo.svc.cluster.local:7373=127.0.0.1:44473',
    );
  });
});

describe("serviceDnsNames", () => {
  test("GIVEN a Service endpoint host WHEN expanded THEN the certificate must hold the short and the cluster-domain names", () => {
    expect(serviceDnsNames("keyserver.demo.svc.cluster.local")).toEqual([
      "keyserver.demo.svc",
      "keyserver.demo.svc.cluster.local",
    ]);
    expect(serviceDnsNames("kes.example.com")).toEqual(["kes.example.com"]);
  });
});
