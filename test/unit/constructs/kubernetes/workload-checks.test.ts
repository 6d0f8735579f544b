import { TerraformStack, Testing } from "cdktf";
import {
  dnsSubdomainProblem,
  imageProblem,
  ipAddressProblem,
} from "../../../../constructs/kubernetes/workload-checks";
import { tenant } from "../tenant/support";

describe("workload checks", () => {
  test.each([
    ["quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", undefined],
    ["registry.example.com:5000/team/keyserver@sha256:0123abcd", undefined],
    ["", "must not be empty"],
    ["  ", "must not be empty"],
    ["minio minio", "is not an image reference"],
  ])("imageProblem(%j) is %j", (value, problem) => {
    expect(imageProblem(value)).toBe(problem);
  });

  test.each([
    ["standard", true],
    ["fast.ssd-1", true],
    ["Fast_SSD", false],
    ["-x", false],
    ["", false],
  ])("dnsSubdomainProblem(%j) finds nothing: %j", (value, ok) => {
    expect(dnsSubdomainProblem(value) === undefined).toBe(ok);
  });

  test.each([
    ["127.0.0.1", true],
    ["::1", true],
    ["10.0.0.300", false],
    ["localhost", false],
  ])("ipAddressProblem(%j) finds nothing: %j", (value, ok) => {
    expect(ipAddressProblem(value) === undefined).toBe(ok);
  });

  test("fails when a tenant's MinIO image is empty", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => tenant(stack, { minio: { image: "" } })).toThrow('image "" must not be empty');
  });

  test("fails when a tenant's MinIO storage class is not a DNS subdomain", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => tenant(stack, { minio: { storageClassName: "Fast SSD" } })).toThrow(
      'storageClassName "Fast SSD" must be a DNS subdomain',
    );
  });
});

describe("a tenant's extra certificate names", () => {
  test("fails when an extra IP address is malformed, naming the tenant's field and the entry", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => tenant(stack, { keyServer: { extraIpAddresses: ["127.0.0.1", "10.0.0.300"] } })).toThrow(
      'keyServer.extraIpAddresses[1] "10.0.0.300" is not an IP address: use e.g. "127.0.0.1"',
    );
  });

  test("fails when an extra DNS name is malformed", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => tenant(stack, { keyServer: { extraDnsNames: ["Key Server"] } })).toThrow(
      'keyServer.extraDnsNames[0] "Key Server" is not a DNS name',
    );
  });
});
