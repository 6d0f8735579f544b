import { selectorLabels, workloadMetadata } from "../../../../constructs/kubernetes/kubernetes-names";

describe("kubernetes names", () => {
  test("GIVEN a component, a name and a namespace WHEN the metadata is built THEN it carries the recommended labels", () => {
    expect(workloadMetadata("keyserver", "ks", "payments")).toEqual({
      name: "ks",
      namespace: "payments",
      labels: {
        "app.kubernetes.io/name": "keyserver",
        "app.kubernetes.io/instance": "ks",
        "app.kubernetes.io/part-of": "kes-vault-kit",
        "app.kubernetes.io/managed-by": "cdktf",
      },
    });
  });

  test("GIVEN a workload's metadata WHEN its labels are compared to the selector THEN the selector is a subset", () => {
    const { labels } = workloadMetadata("minio", "s3", "payments");
    expect(labels).toMatchObject(selectorLabels("minio", "s3"));
  });
});
