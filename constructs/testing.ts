// "kes-vault-kit/testing": readers of a synthesized stack (cdk.tf.json) for a platform repo's own tests: the
// Kubernetes objects the provider would send, and the containers the Deployments and StatefulSets declare
// (command, env, mounted files), resolvable against an applied state. Pure, no cdktf needed. Re-exports only,
// by name (api/kes-vault-kit-testing.api.md).

export {
  declaredContainers,
  relocateContainer,
  resolveContainer,
  resolveStateExpression,
  type DeclaredContainer,
  type DeclaredContainersOptions,
  type DeclaredEnv,
  type DeclaredFile,
  type ResolvedContainer,
  type TerraformStateJson,
} from "./kubernetes/declared-containers";
export {
  APPLY_TIME_PLACEHOLDER,
  kubernetesManifests,
  RESOURCE_KINDS,
  type RenderedManifest,
} from "./kubernetes/kubernetes-manifests";
