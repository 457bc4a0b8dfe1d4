#!/usr/bin/env bash
# Every template-tests variant resolves where users develop, not only on the Linux image:
# its locked dependencies (uv.lock, resolved once for every platform) export for Linux,
# macOS on Apple silicon and Windows, and each export resolves for that platform
# (`uv pip compile --python-platform`), so `uv sync` and "run it locally" hold there.
# pytorch variants are checked by scripts/check-torch-index.sh (the PyTorch index cannot be
# reached from CI). Uses the uv that scripts/check-generated.sh installs.
#   AICHOR_BIN=target/debug/aichor scripts/check-platforms.sh [VARIANT...]
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary sees none of the user's aichor, git or virtualenv settings.
source scripts/sandbox.sh
start=$SECONDS
bin=${AICHOR_BIN:-target/debug/aichor}
uv=$PWD/target/ci-tools/bin/uv
[ -x "$uv" ] || { echo "error: $uv missing: run scripts/check-generated.sh first" >&2; exit 1; }
# Linux as the images are (glibc 2.35: Ubuntu 22.04 under rayproject/ray; bookworm has 2.36).
platforms=(x86_64-manylinux_2_35 aarch64-apple-darwin x86_64-pc-windows-msvc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
    for d in template-tests/*/; do variants+=("$(basename "$d")"); done
fi
failed=0
for v in "${variants[@]}"; do
    case $v in pytorch-*) echo "skip $v: scripts/check-torch-index.sh"; continue ;; esac
    dest=$work/$v
    "$bin" local-repo init "$dest" --answers "template-tests/$v/answers.yaml" --no-input --no-lock >/dev/null 2>&1
    python=$(cat "$dest/.python-version")
    if ! (cd "$dest" && "$uv" lock --quiet 2>"$work/$v.lock.log"); then
        echo "FAIL $v: uv lock"; tail -3 "$work/$v.lock.log"; failed=1; continue
    fi
    line="ok   $v (py$python):"
    for p in "${platforms[@]}"; do
        req=$work/$v-$p.txt
        if (cd "$dest" && "$uv" export --locked --no-hashes --no-dev --no-emit-project --quiet >"$req" 2>"$work/$v.export.log") \
            && "$uv" pip compile "$req" --python-platform "$p" --python-version "$python" \
                --no-header -o "$work/$v-$p.resolved" >/dev/null 2>"$work/$v-$p.log"; then
            line+=" $p ($(grep -c '==' "$work/$v-$p.resolved") pkgs)"
        else
            echo "FAIL $v on $p:"; tail -5 "$work/$v-$p.log" "$work/$v.export.log" 2>/dev/null; failed=1
        fi
    done
    echo "$line"
done
echo "check-platforms: $((SECONDS - start)) s"
exit $failed
