#!/bin/sh
# Runs one fuzz target for a fixed time: `fuzz/run.sh TARGET [SECONDS]` (default 620).
# Builds it first (cargo fuzz build, ASAN; MSTAGE_FUZZ_NO_BUILD=1 reuses the last build),
# seeds corpus/TARGET when it is empty; crashes land in artifacts/TARGET/. The final stats
# (execs, coverage, peak RSS) are the last lines of the output. One target at a time: the
# machine is shared (fuzz/README.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-620}
cd "$here"
if [ "${MSTAGE_FUZZ_NO_BUILD:-0}" != 1 ]; then
    RUSTC_BOOTSTRAP=1 cargo fuzz build "$target"
fi
mkdir -p "corpus/$target" "artifacts/$target"
[ -n "$(ls "corpus/$target")" ] || sh ./seed.sh "$target"
exec "target/x86_64-unknown-linux-gnu/release/$target" \
    -artifact_prefix="artifacts/$target/" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 "corpus/$target"
