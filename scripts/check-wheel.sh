#!/usr/bin/env bash
# Build the Python wheel (pyproject.toml, maturin `bindings = "bin"`) for glibc 2.17 and later
# (manylinux2014: Ubuntu 14.04+, RHEL/Rocky 7+, Debian 8+), prove that tag, install the wheel
# the way the README says (`uv tool install`) into a throwaway tool folder next to a stand-in
# for the platform's `aichor-cli`, and run the installed command: `--version`, `man`, and a
# non-interactive init whose files must exist. Prints the wheel's size, its build time and
# the time from `uv tool install` to the end of the first init.
#
#   scripts/check-wheel.sh [--release]
#
# The wheel is linked by zig (`maturin build --zig --compatibility manylinux2014`) against
# glibc 2.17's symbols, as the release workflow builds it: the host's linker would tie the
# binary to the host's glibc (2.34+ here), which older Linux refuses. The tag is then checked
# twice: `auditwheel show` must call the wheel manylinux_2_17, and no dynamic symbol of the
# binary may ask for a GLIBC_ version above 2.17 (objdump -T, or pyelftools' readelf).
#
# Default profile: dev. zig links for an explicit target (target/x86_64-unknown-linux-gnu/),
# so this is a compile of its own, not a reuse of `cargo test`'s; the dev profile keeps it
# to a debug build (about a minute warm and under 3 minutes cold on CI's two cores, where an
# optimised one takes several), and its glibc needs are the release build's: the same crates,
# the same std, the same linker and glibc stubs. `--release` builds the wheel users get.
# The wheel goes to target/dist/. maturin, uv, ziglang and auditwheel come from PyPI into
# target/ci-tools/ (as in scripts/check-generated.sh); the install itself runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary sees none of the user's aichor, git or virtualenv settings.
source scripts/sandbox.sh

profile=(--profile dev)
if [[ ${1:-} == --release ]]; then
    profile=(--release)
elif [[ $# -gt 0 ]]; then
    echo "usage: scripts/check-wheel.sh [--release]" >&2
    exit 2
fi

tools=target/ci-tools
pins=(maturin==1.16.0 uv==0.13.9 ziglang==0.17.1 auditwheel==6.8.2)
[[ -x $tools/bin/python ]] || python3 -m venv "$tools"
frozen=$("$tools/bin/python" -m pip freeze 2>/dev/null || true)
missing=()
for pin in "${pins[@]}"; do
    grep -qix "$pin" <<<"$frozen" || missing+=("$pin")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "tools: installing ${missing[*]} into $tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
maturin=$tools/bin/maturin
uv=$PWD/$tools/bin/uv
"$maturin" --version
"$uv" --version
# maturin finds zig as `python -m ziglang` through the first Python on PATH.
export PATH=$PWD/$tools/bin:$PATH

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

# The man pages ride in the wheel from wheel-data/ (committed; `cargo test` checks they match
# `aichor-kit man`), unpacked into the environment's prefix, share/man/man1/.
dist=target/dist
rm -f "$dist"/aichor_kit-*.whl
build_start=$(date +%s)
"$maturin" build --locked "${profile[@]}" --zig --compatibility manylinux2014 -o "$dist"
build_s=$(($(date +%s) - build_start))
wheels=("$dist"/aichor_kit-*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || { echo "error: expected one wheel in $dist" >&2; exit 1; }
wheel=${wheels[0]}

# What the wheel holds: one command, `aichor-kit`, and the man pages; never `aichor`.
listing=$(python3 -m zipfile -l "$wheel")
grep -q "\.data/scripts/aichor-kit " <<<"$listing" || { echo "error: no aichor-kit in the wheel" >&2; echo "$listing" >&2; exit 1; }
if grep -q "\.data/scripts/aichor " <<<"$listing"; then
    echo "error: the wheel installs an \`aichor\` command, which clashes with aichor-cli" >&2
    exit 1
fi
grep -q "\.data/data/share/man/man1/aichor-kit-local-repo-init\.1 " <<<"$listing" \
    || { echo "error: the wheel lacks the man pages" >&2; exit 1; }

# glibc 2.17: the file name, auditwheel's verdict, and the binary's own symbol versions.
[[ $wheel == *manylinux_2_17_x86_64* ]] || { echo "error: $wheel is not tagged manylinux_2_17" >&2; exit 1; }
audit=$("$tools/bin/auditwheel" show "$wheel")
echo "$audit"
# auditwheel wraps its lines: compare with the whitespace collapsed.
tr -s ' \n' '  ' <<<"$audit" | grep -q 'following platform tag: "manylinux_2_17_x86_64"' \
    || { echo "error: auditwheel does not call the wheel manylinux_2_17" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/aichor-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Every GLIBC_ version the binary's dynamic symbols ask for, with how many symbols ask for
# each; the newest must be 2.17 or older (the loader refuses the binary otherwise).
python3 -m zipfile -e "$wheel" "$work/unpacked"
binary=$(echo "$work"/unpacked/*.data/scripts/aichor-kit)
if command -v objdump >/dev/null; then
    symbols=$(objdump -T "$binary")
else
    symbols=$("$tools/bin/python" "$tools/bin/readelf.py" -W --dyn-syms "$binary")
fi
glibc=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$symbols" | sort -V | uniq -c | awk '{print $2 " (" $1 ")"}')
[[ -n $glibc ]] || { echo "error: no GLIBC_ symbol version found in $binary" >&2; exit 1; }
newest=$(tail -n 1 <<<"$glibc" | cut -d' ' -f1)
echo "glibc symbol versions (symbols): $(tr '\n' ' ' <<<"$glibc")"
echo "  needing $newest: $(grep -F "$newest" <<<"$symbols" | awk '{print $NF}' | sort -u | tr '\n' ' ')"
if [[ $(printf '%s\n' GLIBC_2.17 "$newest" | sort -V | tail -n 1) != GLIBC_2.17 ]]; then
    echo "error: the binary needs $newest, newer than manylinux2014's GLIBC_2.17" >&2
    exit 1
fi
export UV_TOOL_DIR=$work/tools UV_TOOL_BIN_DIR=$work/bin UV_CACHE_DIR=$work/cache
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
# No AICHOR_* from the caller's shell (a template path, say) reaches the installed command.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(AICHOR_[A-Za-z0-9_]*\)=.*/\1/p')

# A stand-in for the platform's CLI: the distribution `aichor-cli` with a command `aichor`,
# as its README installs it. Installed first, it must survive ours.
python3 - "$work/fake" <<'PY'
import pathlib, sys, zipfile
out = pathlib.Path(sys.argv[1]); out.mkdir()
files = {
    "aichor_cli.py": "def main():\n    print('aichor-cli 9.9.9 (stand-in)')\n",
    "aichor_cli-9.9.9.dist-info/METADATA": "Metadata-Version: 2.1\nName: aichor-cli\nVersion: 9.9.9\n",
    "aichor_cli-9.9.9.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: check-wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "aichor_cli-9.9.9.dist-info/entry_points.txt": "[console_scripts]\naichor = aichor_cli:main\n",
}
record = "".join(f"{name},,\n" for name in files) + "aichor_cli-9.9.9.dist-info/RECORD,,\n"
with zipfile.ZipFile(out / "aichor_cli-9.9.9-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
    z.writestr("aichor_cli-9.9.9.dist-info/RECORD", record)
PY
"$uv" tool install --quiet --offline "$work"/fake/aichor_cli-9.9.9-py3-none-any.whl

# Install to first init, timed: what a new user waits for.
start=$(date +%s%N)
"$uv" tool install --quiet --offline "$wheel"
bin=$UV_TOOL_BIN_DIR/aichor-kit
mkdir "$work/projects"
(cd "$work/projects" && "$bin" local-repo init demo --no-input --operator jax --no-lock)
first_init_ms=$((($(date +%s%N) - start) / 1000000))

fail() {
    echo "error: $*" >&2
    exit 1
}
for f in Dockerfile pyproject.toml aichor_manifests/manifest.yaml .aichor-answers.yaml src/demo/main.py; do
    [[ -f $work/projects/demo/$f ]] || fail "the installed command's init did not write demo/$f"
done
grep -q 'operator: jax' "$work/projects/demo/aichor_manifests/manifest.yaml" || fail "the manifest is not jax's"

got=$("$bin" --version)
[[ $got == "aichor-kit $version ("* ]] || fail "\`aichor-kit --version\` says \`$got\`, expected aichor-kit $version (...)"
echo "installed: $got"
[[ $("$UV_TOOL_BIN_DIR/aichor" 2>&1) == "aichor-cli 9.9.9 (stand-in)" ]] \
    || fail "\`aichor\` is no longer the platform's CLI after installing the wheel"
"$bin" man | grep -q 'aichor\\-kit\\-local\\-repo(1)' || fail "\`aichor-kit man\` does not list the subcommands"
[[ -f $UV_TOOL_DIR/aichor-kit/share/man/man1/aichor-kit.1 ]] || fail "the man pages were not installed"
"$bin" completions zsh | grep -q '#compdef aichor-kit' || fail "zsh completions do not name aichor-kit"
# What the release workflow runs on every platform's installed wheel.
scripts/smoke-installed.sh "$bin"
"$uv" tool list

wheel_bytes=$(stat -c %s "$wheel")
echo "wheel: $wheel ($((wheel_bytes / 1024)) KiB, ${profile[*]}, built in ${build_s} s)"
echo "install to first init: ${first_init_ms} ms (uv tool install --offline + local-repo init --no-input)"
