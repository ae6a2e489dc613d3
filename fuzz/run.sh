#!/usr/bin/env bash
# Fuzzes waxseal with cargo-fuzz (libFuzzer), each target for a bounded time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Targets (fuzz/fuzz_targets/):
#   front_matter     a message file's front matter split from its body and parsed
#   markdown_layout  Markdown read into rich text and laid out with a built-in theme's fonts
#   message_svg      a whole message file made into its card's SVG, as a build does
#   theme_art        a theme's card.svg template and a message (NUL between) drawn into
#                    the card's PNG, as a build does: the SVG guard and the filter costs
#
# SECONDS is each target's time (default 300, or $FUZZ_SECONDS); no TARGET
# means all four, one after the other. Needs nightly Rust and cargo-fuzz
# (`rustup toolchain install nightly`, `cargo install cargo-fuzz --locked`);
# CI does not run it.
#
# What a run keeps (all ignored by git):
#   fuzz/corpus/TARGET/     inputs that reached new code, grown run after run
#                           (fuzz/seeds/TARGET/ starts it: files from content/
#                           and tests/fixtures)
#   fuzz/artifacts/TARGET/  each crash-*, timeout-* or oom-* input found
#   fuzz/logs/TARGET.log    libFuzzer's output of the last run
#
# A finding is a panic, a stack overflow, an input that takes longer than
# $FUZZ_TIMEOUT seconds (default 15) or needs more than $FUZZ_RSS_MB MiB
# (default 2048); a message the code refuses with a diagnostic is not one.
# Inputs are at most $FUZZ_MAX_LEN bytes (default 8192). Builds go to
# $FUZZ_TARGET_DIR (default fuzz/target). Extra libFuzzer flags can be
# given in $FUZZ_ARGS (e.g. FUZZ_ARGS=-jobs=2).
#
# To look at a finding: `cargo +nightly fuzz run --fuzz-dir fuzz -O -a -s none
# TARGET fuzz/artifacts/TARGET/crash-...` runs that one input again;
# `cargo +nightly fuzz tmin ... TARGET FILE` makes it smaller. Each one fixed
# becomes a test in the normal test suite.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-300}}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(front_matter markdown_layout message_svg theme_art)
fi
max_len=${FUZZ_MAX_LEN:-8192}
timeout=${FUZZ_TIMEOUT:-15}
rss_mb=${FUZZ_RSS_MB:-2048}
target_dir=${FUZZ_TARGET_DIR:-fuzz/target}
# Release code with debug assertions (an overflow panics, as in tests); no
# sanitizer: the crate forbids unsafe code, and AddressSanitizer's larger
# stack frames would overflow a build worker's stack where a build does not.
flags=(--fuzz-dir fuzz -O -a -s none --target-dir "$target_dir")

cargo +nightly fuzz build "${flags[@]}"

mkdir -p fuzz/logs
summary=()
found=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/logs/$target.log"
    stamp=$(mktemp)
    echo "== $target: ${seconds}s"
    # libFuzzer exits non-zero when it finds something; the next target still runs.
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
        -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1 || true
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    new=$(find "fuzz/artifacts/$target" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \))
    rm -f "$stamp"
    count=$(printf '%s' "$new" | grep -c . || true)
    found=$((found + count))
    summary+=("$(printf '%-16s %10s executions  %6s corpus inputs  %s findings' "$target" "${runs:-?}" "$corpus" "$count")")
    if [ -n "$new" ]; then
        printf '   %s\n' $new
        grep -m1 -E "panicked at|stack overflow|ERROR: libFuzzer" "$log" | sed 's/^/   /' || true
    fi
done

echo
echo "== ${seconds}s per target"
printf '%s\n' "${summary[@]}"
[ "$found" -eq 0 ]
