#!/usr/bin/env bash
# The long fuzzing runs, off CI's critical path (CI replays the seeds and the saved corpus as
# ordinary tests: `cargo test --test fuzz`). Builds every target with cargo-fuzz on nightly,
# runs each for FUZZ_SECONDS (default 600) growing fuzz/corpus/<target>, then minimises that
# corpus so it stays small enough to commit and replay. Figures go to BENCHMARKS.md.
#
#   fuzz/run.sh                 # every target, 10 minutes each
#   FUZZ_SECONDS=60 fuzz/run.sh expiry mrkdwn
set -euo pipefail
cd "$(dirname "$0")"

rustup toolchain list | grep -q '^nightly' || { echo "cargo-fuzz needs the nightly toolchain (rustup toolchain install nightly)"; exit 1; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ingress csv_import expiry mrkdwn)
cargo +nightly fuzz build -O
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  work="$(mktemp -d)" kept="$(mktemp -d)"
  mkdir -p "$corpus" && cp -r "$corpus/." "$work/"
  echo "==> $target for ${FUZZ_SECONDS:-600} s"
  cargo +nightly fuzz run -O "$target" "$work" "seeds/$target" -- \
    -max_total_time="${FUZZ_SECONDS:-600}" -print_final_stats=1 2>&1 \
    | grep -E '^(Done|stat::|==[0-9]+==|SUMMARY)|panicked'
  # Keep only what adds coverage (libFuzzer's merge): small enough to commit and to replay.
  "$bin_dir/$target" -merge=1 "$kept" "$work" > /dev/null 2>&1
  rm -rf "$corpus" "$work" && mv "$kept" "$corpus"
  echo "$target: $(ls "$corpus" | wc -l) inputs kept in fuzz/$corpus"
done
