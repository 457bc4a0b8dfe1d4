#!/usr/bin/env bash
# Run each fuzz target for N seconds (default 60) with cargo-fuzz (libFuzzer), seeded from
# tests/conformance/ and the template-tests answers. Needs cargo-fuzz
# (`cargo install cargo-fuzz`) and a nightly toolchain, or RUSTC_BOOTSTRAP=1 on stable
# (what this script sets: libFuzzer's sanitizer flags are nightly-only). Not run by CI;
# `cargo test` runs the same invariants as property tests (tests/lib/properties.rs).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(validate migrate answers pack_toml commit_msg)
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
status=0

for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus"
    case $t in
        validate|migrate) find tests/conformance -name '*.yaml' -exec cp {} "$corpus/" \; ;;
        answers) for f in template-tests/*/answers.yaml; do cp "$f" "$corpus/$(basename "$(dirname "$f")").yaml"; done ;;
        pack_toml) cp templates/new-pack/pack.toml "$corpus/new-pack.toml" ;;
        commit_msg) printf 'aichor[manifest.yaml]: run\n' >"$corpus/ok"; printf 'Aichor [aichor_manifests/x] y\n' >"$corpus/miss" ;;
    esac
    echo "=== $t for ${secs}s"
    log=fuzz/$t.log
    if cargo fuzz run "$t" "$corpus" -- -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 >"$log" 2>&1; then
        grep -E "^Done [0-9]+ runs" "$log" || tail -1 "$log"
    else
        grep -E "ERROR|panicked|SUMMARY|artifact" "$log" | head -5
        echo "$t: FAILED (whole log: $log)"
        status=1
    fi
done
exit $status
