#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer and sanitizer coverage on the stable toolchain (the same
# instrumentation `cargo fuzz` applies, minus AddressSanitizer, which matters little in crates that
# forbid `unsafe`), then runs each for the given number of seconds (default 20).
# Usage: scripts/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target/fuzz}"
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# --target keeps the instrumentation off build scripts and proc macros.
triple="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --manifest-path fuzz/Cargo.toml --bins --target "$triple"
targets=$(sed -n 's/^name = "\([a-z0-9_]*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^motcua-fuzz$')
for t in $targets; do
  corpus="fuzz/corpus/$t"; mkdir -p "$corpus"
  seeds="fuzz/seeds/$t"
  echo "fuzz: $t for ${secs}s"
  args=("$corpus"); [ -d "$seeds" ] && args+=("$seeds")
  "$CARGO_TARGET_DIR/$triple/release/$t" -max_total_time="$secs" -print_final_stats=0 "${args[@]}" 2>&1 | tail -n 2
done
echo "fuzz: all targets ran without a crash"
