// The reader of saved Terraform plans the live upgrade test (test/live/upgrade/) asserts with: pure, so checked
// here on plan JSON of the shape `terraform show -json <plan>` prints.
import { destructiveChanges, plannedChanges, plannedResourceCount } from "../../live/upgrade/plan-changes";

const change = (address: string, ...actions: string[]) => ({ address, change: { actions } });

describe("plannedChanges", () => {
  test("GIVEN no-ops, reads and changes WHEN read THEN only the changes remain, sorted by address", () => {
    const plan = {
      resource_changes: [
        change("vault_mount.kv", "no-op"),
        change("data.vault_policy_document.x", "read"),
        change("kubernetes_namespace_v1.b", "create"),
        change("vault_kubernetes_auth_backend_config.a", "update"),
      ],
    };
    expect(plannedChanges(plan)).toEqual([
      { address: "kubernetes_namespace_v1.b", actions: ["create"] },
      { address: "vault_kubernetes_auth_backend_config.a", actions: ["update"] },
    ]);
    expect(plannedResourceCount(plan)).toBe(4);
  });

  test("GIVEN a replacement and a destroy among the changes WHEN filtered THEN both are destructive, an update is not", () => {
    const changes = plannedChanges({
      resource_changes: [
        change("vault_mount.kv", "delete", "create"),
        change("vault_policy.p", "create", "delete"),
        change("random_password.r", "delete"),
        change("vault_kubernetes_auth_backend_config.a", "update"),
      ],
    });
    expect(destructiveChanges(changes).map((c) => c.address)).toEqual([
      "random_password.r",
      "vault_mount.kv",
      "vault_policy.p",
    ]);
  });

  test("fails when the JSON is not a plan", () => {
    expect(() => plannedChanges({ values: {} })).toThrow(
      "not a plan: no resource_changes array (terraform show -json <plan>)",
    );
  });
});
