import { ServiceAddress } from "../../../../constructs/kubernetes/service-address";

describe("ServiceAddress", () => {
  test("GIVEN the key server's Service WHEN addressed THEN its DNS names run shortest first and its endpoint is HTTPS on 7373", () => {
    const a = ServiceAddress.keyServer("keyserver", "payments");
    expect(a.dnsNames).toEqual([
      "keyserver",
      "keyserver.payments",
      "keyserver.payments.svc",
      "keyserver.payments.svc.cluster.local",
    ]);
    expect(a.endpoint).toBe("https://keyserver.payments.svc.cluster.local:7373");
  });

  test("GIVEN MinIO's Service in another cluster domain WHEN addressed THEN its endpoint is HTTP on 9000 in that domain", () => {
    expect(ServiceAddress.minio("minio", "payments", "corp.example").endpoint).toBe(
      "http://minio.payments.svc.corp.example:9000",
    );
  });
});
