#!/usr/bin/env bash
# Memory and time of `mstage llb` against the size of the Dockerfile: synthetic Dockerfiles
# (scripts/gen-synthetic-dockerfile.sh with STAGES/TOTAL) from 1,000 to 100,000
# instructions, compiled offline to a Definition; prints instructions, LLB ops, Definition
# bytes, wall ms, peak RSS and the per-instruction figures, which stay flat when time and
# memory are linear. Past about 35,000 instructions of this kind the Definition exceeds
# BuildKit's 16 MiB message limit and mstage refuses it (after doing all the work, so the
# figures still count; the size comes from the error, ops are then not counted: `-`).
#
#   scripts/bench-scaling.sh [MSTAGE]      (default target/release/mstage)
set -euo pipefail
cd "$(dirname "$0")/.."
mstage=${1:-target/release/mstage}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%12s %7s %10s %7s %8s %9s %9s %9s\n' instructions ops def-bytes ms rss-MiB ms/instr KiB/instr B/instr
for total in 1000 10000 50000 100000; do
    stages=$((total / 10))
    STAGES=$stages TOTAL=$total bash scripts/gen-synthetic-dockerfile.sh >"$work/Dockerfile"
    n=$(wc -l <"$work/Dockerfile")
    status=0
    /usr/bin/time -f '%e %M' -o "$work/time" "$mstage" llb -f "$work/Dockerfile" --format pb "$work" \
        >"$work/def.pb" 2>"$work/err" || status=$?
    read -r secs rss_kib < <(tail -1 "$work/time")
    if [ "$status" = 0 ]; then
        bytes=$(wc -c <"$work/def.pb")
        ops=$("$mstage" llb -f "$work/Dockerfile" --format json "$work" |
            python3 -c 'import json,sys; print(len(json.load(sys.stdin)["definition"]["ops"]))')
    else
        bytes=$(grep -o 'is [0-9]* bytes' "$work/err" | head -1 | tr -dc 0-9)
        ops=-
        grep -q "message limit" "$work/err" || { cat "$work/err" >&2; exit 1; }
    fi
    awk -v n="$n" -v ops="$ops" -v b="$bytes" -v s="$secs" -v r="$rss_kib" 'BEGIN {
        printf "%12d %7s %10d %7d %8.1f %9.4f %9.2f %9.1f\n", n, ops, b, s * 1000, r / 1024, s * 1000 / n, r / n, b / n }'
done
