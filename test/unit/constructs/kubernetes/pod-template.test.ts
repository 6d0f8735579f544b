import {
  httpProbe,
  NODE_TOPOLOGY,
  PodVolumes,
  spreadOver,
  ZONE_TOPOLOGY,
} from "../../../../constructs/kubernetes/pod-template";

type Volume = { readonly name?: string; readonly emptyDir?: { readonly sizeLimit?: string } };
type Mount = { readonly name?: string; readonly mountPath: string; readonly readOnly?: boolean };

describe("pod template", () => {
  test("GIVEN volumes added in pairs WHEN read THEN each volume has its mount, read-only unless writable, claim mounts first", () => {
    const pod = new PodVolumes<Volume, Mount>();
    pod.mountOnly("data", "/data", true);
    pod.add({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, "/tmp", true);
    pod.add({ name: "kes", emptyDir: {} }, "/etc/kes");
    expect(pod.volumes.map((v) => v.name)).toEqual(["tmp", "kes"]);
    expect(pod.mounts).toEqual([
      { name: "data", mountPath: "/data" },
      { name: "tmp", mountPath: "/tmp" },
      { name: "kes", mountPath: "/etc/kes", readOnly: true },
    ]);
  });

  test("GIVEN node and zone WHEN spread THEN one soft constraint per key selects the workload's pods", () => {
    const selector = { "app.kubernetes.io/name": "keyserver" };
    expect(spreadOver(selector, [NODE_TOPOLOGY, ZONE_TOPOLOGY])).toEqual(
      ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: [{ matchLabels: selector }],
      })),
    );
  });

  test("GIVEN a probe WHEN built THEN the port is a string and the timeout 5 s", () => {
    expect(
      httpProbe({
        path: "/v1/ready",
        port: 7373,
        scheme: "HTTPS",
        initialDelaySeconds: 2,
        periodSeconds: 10,
        failureThreshold: 3,
      }),
    ).toEqual({
      httpGet: { path: "/v1/ready", port: "7373", scheme: "HTTPS" },
      initialDelaySeconds: 2,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
  });
});
