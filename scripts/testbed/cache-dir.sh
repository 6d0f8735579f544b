# Sourced by the test-bed scripts: sets $testbed, the cache folder, given $repo.
# $KVK_TESTBED_DIR when set. Otherwise <repo>/.testbed, which on a fresh clone is made a link to a per-user
# cache (${XDG_CACHE_HOME:-~/.cache}/kes-vault-kit/testbed): every component is keyed by its pin there, so a
# second clone on the same machine (CI's, a worktree's) reuses what the first built instead of rebuilding.
# An existing <repo>/.testbed folder (an older clone) is used as it is.
if [ -n "${KVK_TESTBED_DIR:-}" ]; then
  testbed=$KVK_TESTBED_DIR
else
  testbed=$repo/.testbed
  if [ ! -e "$testbed" ] && [ ! -L "$testbed" ]; then
    shared_cache="${XDG_CACHE_HOME:-$HOME/.cache}/kes-vault-kit/testbed"
    mkdir -p "$shared_cache"
    ln -s "$shared_cache" "$testbed"
  fi
fi
mkdir -p "$testbed/logs"
testbed=$(cd "$testbed" && pwd -P)
