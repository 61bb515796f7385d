#!/usr/bin/env bash
# Memory and time of `mstage llb` against the size of the Dockerfile: synthetic Dockerfiles
# (scripts/gen-synthetic-dockerfile.sh with STAGES/TOTAL) from 1,000 to 100,000
# instructions, compiled offline to a Definition; prints instructions, LLB ops, Definition
# bytes, wall ms, peak RSS and the per-op figures, which stay flat when both are linear.
#
#   scripts/bench-scaling.sh [MSTAGE]      (default target/release/mstage)
set -euo pipefail
cd "$(dirname "$0")/.."
mstage=${1:-target/release/mstage}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%12s %9s %12s %9s %9s %10s %10s %10s\n' instructions ops def-bytes ms rss-MiB ms/op KiB/op B-def/op
for total in 1000 10000 50000 100000; do
    stages=$((total / 10))
    STAGES=$stages TOTAL=$total bash scripts/gen-synthetic-dockerfile.sh >"$work/Dockerfile"
    n=$(wc -l <"$work/Dockerfile")
    /usr/bin/time -f '%e %M' -o "$work/time" "$mstage" llb -f "$work/Dockerfile" --format pb "$work" >"$work/def.pb"
    read -r secs rss_kib <"$work/time"
    ops=$("$mstage" llb -f "$work/Dockerfile" --format json "$work" | python3 -c 'import json,sys; d=json.load(sys.stdin)["definition"]; print(len(d["ops"]) if isinstance(d,dict) and "ops" in d else len(d))')
    bytes=$(wc -c <"$work/def.pb")
    awk -v n="$n" -v ops="$ops" -v b="$bytes" -v s="$secs" -v r="$rss_kib" 'BEGIN {
        printf "%12d %9d %12d %9d %9.1f %10.4f %10.2f %10.1f\n", n, ops, b, s * 1000, r / 1024, s * 1000 / ops, r / ops, b / ops }'
done
