#!/usr/bin/env bash
# The Windows build, checked from Linux: `cargo clippy --target x86_64-pc-windows-gnu` over
# every target (library, binaries, tests) with warnings as errors. It proves that the code
# behind `cfg(not(unix))` compiles and is lint-clean: the folder lock's stand-in file
# (src/txn/fs.rs), the Ctrl-C handler (ctrlc, src/interrupt.rs), and that tests relying on
# Unix (permissions, symlinks, `#!/bin/sh` stand-ins) are marked so. Running it is
# ci.yml's Windows job. Needs the target's standard library (`rustup target add`); where
# rustup cannot fetch it, says so and passes.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    if ! rustup target add "$target"; then
        echo "skipped: the $target standard library cannot be installed here (rustup target add failed)"
        exit 0
    fi
fi
cargo clippy --target "$target" --all-targets --locked -- -D warnings
echo "windows: $target checked (clippy, all targets)"
