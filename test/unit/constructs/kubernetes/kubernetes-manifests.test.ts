import {
  APPLY_TIME_PLACEHOLDER,
  kubernetesManifests,
} from "../../../../constructs/kubernetes/kubernetes-manifests";
import { TenantKeystore } from "../../../../constructs/tenant/tenant-keystore";
import { KeystoreLogin } from "../../../../constructs/vault/keystore-login";
import { synth, type Json } from "./support";
import { tenant } from "../tenant/support";

const objects = () =>
  kubernetesManifests(synth((s) => tenant(s, { keyServer: { networkPolicy: {} } }))).map(
    (m) => m.object as Json,
  );
const byKind = (kind: string, name?: string) =>
  objects().find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Json;

describe("kubernetesManifests", () => {
  test("GIVEN a tenant WHEN rendered THEN every kubernetes_* resource becomes one object with its apiVersion and kind", () => {
    const kinds = objects()
      .map((o) => `${o.apiVersion}/${o.kind}`)
      .sort();
    expect(kinds).toEqual([
      "apps/v1/Deployment",
      "apps/v1/StatefulSet",
      "networking.k8s.io/v1/NetworkPolicy",
      "policy/v1/PodDisruptionBudget",
      "v1/ConfigMap",
      "v1/Namespace",
      "v1/Secret",
      "v1/Secret",
      "v1/Secret",
      "v1/Service",
      "v1/Service",
      "v1/Service",
      "v1/ServiceAccount",
    ]);
  });

  test("GIVEN the Deployment WHEN rendered THEN provider blocks become API lists and numbers (containers, volumeMounts, replicas)", () => {
    const d = byKind("Deployment");
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0].volumeMounts.length).toBeGreaterThan(0);
    expect(d.spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 7373, name: "https", protocol: "TCP" },
    ]);
    expect(d.spec.template.spec.securityContext.runAsUser).toBe(1000);
    expect(d.spec.template.spec.volumes.find((v: Json) => v.name === "config").configMap.defaultMode).toBe(
      0o444,
    );
    expect(d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(
      d.spec.selector.matchLabels,
    );
  });

  test("GIVEN references to other objects WHEN rendered THEN they become those objects' names", () => {
    const d = byKind("Deployment");
    expect(d.spec.template.spec.serviceAccountName).toBe("keyserver");
    expect(d.spec.template.spec.volumes.find((v: Json) => v.name === "tls").secret.secretName).toBe(
      "keyserver",
    );
  });

  test("GIVEN Secret data WHEN rendered THEN it is stringData with apply-time placeholders, never a value", () => {
    const s = byKind("Secret", "keyserver");
    expect(s.data).toBeUndefined();
    expect(s.stringData["tls.key"]).toBe(APPLY_TIME_PLACEHOLDER);
  });

  test("GIVEN the ConfigMap WHEN rendered THEN the config is the literal text", () => {
    expect(byKind("ConfigMap").data["config.yaml"]).toContain("address: ${KEYSERVER_ADDRESS}");
  });

  test("GIVEN a Service WHEN rendered THEN its selector stays a label map and numeric target ports are numbers", () => {
    const svc = byKind("Service", "keyserver");
    expect(svc.spec.selector).toEqual({
      "app.kubernetes.io/instance": "keyserver",
      "app.kubernetes.io/name": "keyserver",
    });
    expect(svc.spec.ports[0].targetPort).toBe(7373);
  });

  test("GIVEN Terraform-only attributes WHEN rendered THEN they are dropped", () => {
    expect(byKind("Deployment").waitForRollout).toBeUndefined();
    expect(byKind("Deployment").dependsOn).toBeUndefined();
  });

  test("fails when a kubernetes_* type is unknown", () => {
    expect(() => kubernetesManifests({ resource: { kubernetes_ingress_v1: { x: {} } } })).toThrow(
      "resource type kubernetes_ingress_v1 is not one this renderer knows",
    );
  });

  test("GIVEN a tenant with Vault Kubernetes auth WHEN rendered THEN the projected token volume is one object and the reviewer binding is a ClusterRoleBinding", () => {
    const all = kubernetesManifests(
      synth((s) =>
        tenant(s, {
          keystore: TenantKeystore.fromProps({
            prefix: "payments",
            login: KeystoreLogin.kubernetes({ authBackend: { kubernetesHost: "https://10.0.0.1:6443" } }),
          }),
        }),
      ),
    ).map((m) => m.object as Json);
    const d = all.find((o) => o.kind === "Deployment") as Json;
    const vol = d.spec.template.spec.volumes.find((v: Json) => v.name === "vault-token");
    expect(vol.projected).toEqual({
      defaultMode: 0o440,
      sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 600, audience: "vault" } }],
    });
    const crb = all.find((o) => o.kind === "ClusterRoleBinding") as Json;
    expect(crb.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "system:auth-delegator",
    });
    expect(crb.subjects).toEqual([
      { kind: "ServiceAccount", name: "keyserver-token-reviewer", namespace: "payments" },
    ]);
  });
});
