#!/usr/bin/env bash
# Prove the generated pytorch projects' torch configuration without reaching
# download.pytorch.org: serve a local stub of the PyTorch indexes (PEP 503 "simple" pages on
# 127.0.0.1, with minimal fake wheels named like the real ones), point the projects' named
# index at it by rewriting only its `url` line, run `uv lock` on the generated pytorch-cpu and
# pytorch-gpu-t4 variants, and check uv.lock. (UV_INDEX="<name>=<url>" does replace a named
# index's URL, but the replacement is not `explicit`: uv 0.13.9 then takes torch from it for
# macOS too, and every package would be looked up there first, so it would not test this.)
#   * the pyproject names the real index URLs (download.pytorch.org/whl/cpu, /whl/cu12x),
#     `explicit = true`, and sources torch from it everywhere but macOS;
#   * CPU: torch `+cpu` from the CPU index for Linux/Windows, torch from PyPI for macOS, and
#     no nvidia-* / cuda-* package at all;
#   * GPU: torch `+cu12x` from the CUDA index, its nvidia-*-cu12 dependency (resolved from
#     PyPI, as for the real wheel), and nothing built for CUDA 13 (nvidia-*-cu13,
#     cuda-toolkit);
#   * every other package comes from PyPI (the index is explicit).
# Also checks the shell-free launcher's torchrun arguments (`launch --dry-run`, no torch
# needed). Needs python3, PyPI (the other dependencies), and uv (PATH, target/ci-tools/bin,
# or installed from PyPI into target/torch-index-tools).
#
#   scripts/check-torch-index.sh          AICHOR_BIN=path skips `cargo build`; KEEP_WORK=1
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary sees none of the user's aichor, git or virtualenv settings.
source scripts/sandbox.sh
repo=$PWD
start=$(date +%s)
uv_pin=0.13.9

if [[ -x target/ci-tools/bin/uv ]]; then
    uv=$repo/target/ci-tools/bin/uv
elif command -v uv >/dev/null; then
    uv=$(command -v uv)
else
    tools=target/torch-index-tools
    if [[ ! -x $tools/bin/uv ]]; then
        echo "tools: installing uv==$uv_pin into $tools"
        python3 -m venv "$tools"
        "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_pin"
    fi
    uv=$repo/$tools/bin/uv
fi
echo "uv: $uv ($("$uv" --version))"

if [[ -n ${AICHOR_BIN:-} ]]; then
    aichor=$AICHOR_BIN
else
    cargo build --locked --quiet
    aichor=target/debug/aichor
fi

# The stub index and the uv.lock checks (Python, standard library only).
stub_py=$(cat <<'PY'
import hashlib, io, json, sys, tomllib, urllib.parse, zipfile
from pathlib import Path

VERSION = "2.7.1"
PYPI = "https://pypi.org/simple"


def wheel(name, version, requires, tag):
    """A minimal valid wheel: one module, METADATA, WHEEL, RECORD."""
    dist = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Python: >=3.9\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {
        f"{name}/__init__.py": f'__version__ = "{version}"\n',
        f"{dist}/METADATA": meta,
        f"{dist}/WHEEL": f"Wheel-Version: 1.0\nGenerator: stub\nRoot-Is-Purelib: false\nTag: {tag}\n",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
        z.writestr(f"{dist}/RECORD", "".join(f"{p},,\n" for p in [*files, f"{dist}/RECORD"]))
    return buf.getvalue()


def build(root, cuda):
    for flavour in ("cpu", cuda):
        requires = ["filelock", "typing-extensions>=4.10.0"]
        if flavour != "cpu":
            # As the real torch+cu12x wheels: pinned CUDA libraries, from PyPI.
            requires.append(
                "nvidia-cudnn-cu12==9.5.1.17; platform_system == 'Linux' and platform_machine == 'x86_64'"
            )
        folder = Path(root, "whl", flavour, "torch")
        folder.mkdir(parents=True)
        links = []
        for py in ("cp311", "cp312", "cp313"):
            for plat in ("manylinux_2_28_x86_64", "manylinux_2_28_aarch64", "win_amd64"):
                tag = f"{py}-{py}-{plat}"
                name = f"torch-{VERSION}+{flavour}-{tag}.whl"
                data = wheel("torch", f"{VERSION}+{flavour}", requires, tag)
                (folder / name).write_bytes(data)
                digest = hashlib.sha256(data).hexdigest()
                href = f"{urllib.parse.quote(name)}#sha256={digest}"
                links.append(f'<a href="{href}" data-requires-python="&gt;=3.9">{name}</a><br>')
        (folder / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n"
        )
        Path(root, "whl", flavour, "index.html").write_text('<a href="torch/">torch</a>\n')


def check_pyproject(project, flavour):
    errors = []
    pyproject = tomllib.loads(Path(project, "pyproject.toml").read_text())
    name = f"pytorch-{flavour}"
    indexes = pyproject["tool"]["uv"]["index"]
    want = {"name": name, "url": f"https://download.pytorch.org/whl/{flavour}", "explicit": True}
    if indexes != [want]:
        errors.append(f"[[tool.uv.index]] is {indexes}, expected [{want}]")
    sources = pyproject["tool"]["uv"]["sources"]
    if sources != {"torch": [{"index": name, "marker": "sys_platform != 'darwin'"}]}:
        errors.append(f"[tool.uv.sources] is {sources}")
    if errors:
        print(f"FAIL: {Path(project).name} pyproject.toml:\n  " + "\n  ".join(errors))
        sys.exit(1)


def check(project, flavour, stub):
    errors = []
    lock = tomllib.loads(Path(project, "uv.lock").read_text())
    packages = lock["package"]
    names = sorted({p["name"] for p in packages})
    torch = [p for p in packages if p["name"] == "torch"]
    ours = [p for p in torch if p["source"] == {"registry": stub}]
    pypi = [p for p in torch if p["source"] == {"registry": PYPI}]
    if len(ours) != 1 or not ours[0]["version"].endswith(f"+{flavour}"):
        errors.append(f"expected one torch +{flavour} from {stub}: {[(p['version'], p['source']) for p in torch]}")
    if len(pypi) != 1 or len(torch) != 2:
        errors.append(f"expected one torch from PyPI (macOS): {[(p['version'], p['source']) for p in torch]}")
    for p, marker in ((ours, "sys_platform != 'darwin'"), (pypi, "sys_platform == 'darwin'")):
        for pkg in p:
            markers = pkg.get("resolution-markers", [])
            if not markers or not all(marker in m for m in markers):
                errors.append(f"torch {pkg['version']}: resolution-markers {markers} lack {marker!r}")
    others = [
        p["name"] for p in packages
        if p["name"] != "torch" and "registry" in p["source"] and p["source"]["registry"] != PYPI
    ]
    if others:
        errors.append(f"only torch may come from the PyTorch index, not {others}")
    cuda = [n for n in names if n.startswith(("nvidia-", "cuda-")) or n == "triton"]
    if flavour == "cpu":
        if cuda:
            errors.append(f"CPU project locks CUDA packages: {cuda}")
    else:
        deps = {d["name"] for d in ours[0].get("dependencies", [])} if ours else set()
        if "nvidia-cudnn-cu12" not in deps or "nvidia-cudnn-cu12" not in names:
            errors.append(f"torch +{flavour} lost its nvidia-cudnn-cu12 dependency: {sorted(deps)}")
        cu13 = [n for n in cuda if n.endswith("-cu13") or n.startswith("cuda-")]
        if cu13:
            errors.append(f"GPU project locks CUDA 13 packages: {cu13}")
    label = Path(project).name
    if errors:
        print(f"FAIL: {label} uv.lock:\n  " + "\n  ".join(errors))
        sys.exit(1)
    torch_v = ", ".join(f"{p['version']} ({'stub ' + flavour if p in ours else 'PyPI, macOS'})" for p in torch)
    print(f"{label:16} uv.lock ok: torch {torch_v}; {len(packages)} packages; CUDA packages: {cuda or 'none'}")


if sys.argv[1] == "build":
    build(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "pyproject":
    check_pyproject(sys.argv[2], sys.argv[3])
else:
    check(sys.argv[2], sys.argv[3], sys.argv[4])
PY
)

work=$(mktemp -d "${TMPDIR:-/tmp}/aichor-torch-index.XXXXXX")
server=
cleanup() {
    [[ -z $server ]] || kill "$server" 2>/dev/null || true
    if [[ ${KEEP_WORK:-} == 1 ]]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The CUDA index the GPU variant names (cu126, cu128, ...), read from its pyproject below.
variants=(pytorch-cpu pytorch-gpu-t4)
for v in "${variants[@]}"; do
    "$aichor" local-repo init "$work/$v" --answers "template-tests/$v/answers.yaml" \
        --no-input --no-lock >"$work/$v.init.log" 2>&1 ||
        { cat "$work/$v.init.log"; echo "FAIL: init $v" >&2; exit 1; }
done
cuda=$(sed -n 's|^url = "https://download.pytorch.org/whl/\(cu12[0-9]*\)"$|\1|p' \
    "$work/pytorch-gpu-t4/pyproject.toml")
[[ -n $cuda ]] || { echo "FAIL: pytorch-gpu-t4 names no download.pytorch.org/whl/cu12x index" >&2; exit 1; }

# The stub: <root>/whl/<flavour>/torch/index.html lists fake wheels, like the real index.
python3 -c "$stub_py" build "$work/stub" "$cuda"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/stub" >"$work/http.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/whl/cpu/torch/')" \
        2>/dev/null && break
    sleep 0.1
done
stub=http://127.0.0.1:$port/whl

failed=0
for v in "${variants[@]}"; do
    flavour=cpu
    [[ $v == pytorch-cpu ]] || flavour=$cuda
    t=$(date +%s.%N)
    rc=0
    # Check the pyproject as generated, then point its index at the stub: only the URL line
    # changes, so `explicit = true` and the sources' markers are what uv resolves with.
    python3 -c "$stub_py" pyproject "$work/$v" "$flavour" || { failed=1; continue; }
    sed -i "s|^url = \"https://download.pytorch.org/whl/$flavour\"\$|url = \"$stub/$flavour\"|" \
        "$work/$v/pyproject.toml"
    (cd "$work/$v" && env -u UV_INDEX -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL -u UV_DEFAULT_INDEX \
        -u UV_FIND_LINKS -u UV_OFFLINE UV_PYTHON_DOWNLOADS=never UV_CACHE_DIR="$work/uv-cache" \
        "$uv" lock) >"$work/$v.lock.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        tail -20 "$work/$v.lock.log"
        echo "FAIL: uv lock $v (exit $rc)"
        failed=1
        continue
    fi
    printf '%-16s uv lock ok %5.1fs\n' "$v" "$(echo "$(date +%s.%N) - $t" | bc)"
    python3 -c "$stub_py" check "$work/$v" "$flavour" "$stub/$flavour" || failed=1
done

# The launcher: torchrun's arguments from the pytorch operator's variables, no shell.
for v in pytorch-cpu pytorch-gpu-t4; do
    pkg=$(basename "$(dirname "$(ls "$work/$v"/src/*/launch.py)")")
    got=$(cd "$work/$v/src" && env WORLD_SIZE=3 RANK=2 MASTER_ADDR=experiment-1-master-0 \
        MASTER_PORT=23456 python3 -m "$pkg.launch" --dry-run --nproc-per-node 4 -m "$pkg.main" -- --steps 1)
    want="--nnodes=3 --node-rank=2 --master-addr=experiment-1-master-0 --master-port=23456 --nproc-per-node=4 -m $pkg.main --steps 1"
    local_run=$(cd "$work/$v/src" && env -u WORLD_SIZE -u MASTER_ADDR \
        python3 -m "$pkg.launch" --dry-run --nproc-per-node 2)
    if [[ $got == *"-m torch.distributed.run $want" && $local_run == *"--standalone --nnodes=1 --nproc-per-node=2 -m $pkg.main" ]]; then
        echo "$v launcher: ok (${got#launch: })"
    else
        printf 'FAIL: %s launcher\n  got:  %s\n  want: ... -m torch.distributed.run %s\n  local: %s\n' \
            "$v" "$got" "$want" "$local_run"
        failed=1
    fi
done

echo "scripts/check-torch-index.sh: $( ((failed)) && echo FAILED || echo ok ), wall time $(($(date +%s) - start))s"
exit "$failed"
