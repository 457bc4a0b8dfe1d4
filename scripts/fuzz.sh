#!/usr/bin/env bash
# Run each fuzz target for N seconds (default 60) with cargo-fuzz (libFuzzer), one target at a
# time, from its committed corpus. Not run by CI (see CONTRIBUTING.md, "Fuzzing"); `cargo test`
# runs the same invariants as property tests (tests/lib/properties.rs).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# - The corpus persists: fuzz/corpus/<target>/ is committed, minimized. A run reads it, with
#   the seeds (tests/conformance/, the template-tests answers, tests/regressions/<target>/),
#   writes what it finds into it, and merges it back to a minimal set (`cargo fuzz cmin
#   -- -set_cover_merge=1`): commit the change to keep what the run learnt.
# - A crash stops that target (the others still run): its input is in
#   fuzz/artifacts/<target>/; keep it as a regression test (tests/regressions/, see
#   CONTRIBUTING.md) and fix the code. The script exits 1.
# - Each run's whole log is fuzz/<target>.log; a line per target gives runs, seconds, exec/s
#   and the corpus size before and after.
# - Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and libFuzzer's nightly flags:
#   RUSTC_BOOTSTRAP=1 on the stable toolchain (set here). The fuzzers run under `nice -n 19`
#   (FUZZ_NICE=N to change it) so other builds on the machine still progress.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(validate migrate answers pack_toml commit_msg)
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
nice=(nice -n "${FUZZ_NICE:-19}")
command -v cargo-fuzz >/dev/null || { echo "error: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2; exit 2; }
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
status=0

# Seeds are read, never written: only what a run finds lands in the committed corpus.
seed() { # TARGET: fill $seeds/TARGET
    local t=$1 dir=$seeds/$1 f
    mkdir -p "$dir"
    case $t in
        validate|migrate)
            for f in $(find tests/conformance -name '*.yaml' | sort); do
                cp "$f" "$dir/$(echo "$f" | tr '/' '_')"
            done ;;
        answers) for f in template-tests/*/answers.yaml; do cp "$f" "$dir/$(basename "$(dirname "$f")").yaml"; done ;;
        pack_toml) cp templates/new-pack/pack.toml "$dir/new-pack.toml"; cp templates/builtin/pack.toml "$dir/builtin.toml" ;;
        commit_msg) printf 'aichor[manifest.yaml]: run\n' >"$dir/ok"; printf 'Aichor [aichor_manifests/x] y\n' >"$dir/miss" ;;
    esac
    if [ -d "tests/regressions/$t" ]; then cp tests/regressions/"$t"/* "$dir/"; fi
}

for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus"
    seed "$t"
    before=$(find "$corpus" -type f | wc -l)
    echo "=== $t for ${secs}s (corpus: $before files)"
    log=fuzz/$t.log
    if (cd fuzz && "${nice[@]}" cargo fuzz run "$t" "corpus/$t" "$seeds/$t" -- \
            -max_total_time="$secs" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1) >"$log" 2>&1; then
        # Merge what the run found into a minimal corpus: the same features from the fewest
        # inputs (set cover: about half the files of libFuzzer's greedy merge).
        (cd fuzz && "${nice[@]}" cargo fuzz cmin "$t" "corpus/$t" -- -set_cover_merge=1) >>"$log" 2>&1
        after=$(find "$corpus" -type f | wc -l)
        runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | awk '{print $2, $5}' | tail -1)
        read -r n s <<<"${runs:-0 0}"
        echo "$t: $n runs in ${s}s ($(( n / (s > 0 ? s : 1) )) exec/s), no crash; corpus $before → $after files"
    else
        grep -E "ERROR|panicked|SUMMARY|artifact" "$log" | head -8
        echo "$t: FAILED (whole log: $log)"
        status=1
    fi
done
exit $status
