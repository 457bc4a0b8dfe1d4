#!/usr/bin/env python3
"""The MSRV stated in Cargo.toml (`rust-version`) holds for the dependency tree.

Only one toolchain is reachable from CI, so the MSRV cannot be built directly. What can be
checked: clippy's `incompatible_msrv` lint (on by default) refuses std APIs newer than the
MSRV in our code, and this script refuses any dependency in Cargo.lock's resolved graph whose
own `rust-version` is newer than ours (a dependency bump that raises the floor).
"""
import json
import subprocess
import sys


def version(text):
    return tuple(int(p) for p in text.split("."))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
root = next(p for p in meta["packages"] if p["id"] == meta["resolve"]["root"])
ours = root.get("rust_version")
if not ours:
    sys.exit("error: Cargo.toml states no rust-version (the MSRV)")
used = {n["id"] for n in meta["resolve"]["nodes"]}
too_new = [
    (p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] in used and p.get("rust_version") and version(p["rust_version"]) > version(ours)
]
checked = sum(1 for p in meta["packages"] if p["id"] in used and p.get("rust_version"))
if too_new:
    for name, ver, rv in too_new:
        print(f"error: {name} {ver} needs Rust {rv}, above our rust-version {ours}", file=sys.stderr)
    sys.exit(1)
print(f"MSRV {ours}: {checked} dependencies state a rust-version, none above it")
