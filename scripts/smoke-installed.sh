#!/bin/sh
# The installed command as a new user first runs it: `--version`, a non-interactive init, and
# `manifest validate` on the manifest the init wrote. POSIX sh, so that it runs wherever the
# release workflow installs a wheel (Linux, Alpine's busybox, macOS, Git Bash on Windows);
# scripts/check-wheel.sh runs it here on the manylinux wheel.
#
#   scripts/smoke-installed.sh aichor-kit|PATH
set -eu
bin=$1
# A relative path must survive the `cd`s below (a bare name is looked up on PATH).
case $bin in
    /* | [A-Za-z]:*) ;;
    */*) bin=$PWD/$bin ;;
esac
# No config file or AICHOR_* default of the machine's changes what the init writes.
export AICHOR_NO_CONFIG=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --version
# What a bug report from this platform would say (commit, target, built-in pack, uv).
"$bin" version
(cd "$work" && "$bin" local-repo init demo --no-input --operator jax --no-lock --quiet)
for f in Dockerfile pyproject.toml aichor_manifests/manifest.yaml; do
    [ -f "$work/demo/$f" ] || { echo "error: the init wrote no demo/$f" >&2; exit 1; }
done
(cd "$work/demo" && "$bin" manifest validate aichor_manifests/manifest.yaml)
echo "smoke test passed: $("$bin" --version)"
