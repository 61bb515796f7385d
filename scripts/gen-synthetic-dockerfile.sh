#!/usr/bin/env bash
# Writes the synthetic benchmark Dockerfile to stdout: 200 stages, 2,000 instructions.
# Stages s0..s189 (9 instructions each: FROM busybox, ARG, ENV, WORKDIR, COPY from the
# context, COPY --from its parent stage s((i-1)/2), RUN with a cache mount, LABEL, EXPOSE)
# fan in through 9 collector stages c0..c8 (`FROM scratch`, one `COPY --from` of each of
# about 21 stages: 190 `COPY --from` in all) into a final `FROM scratch` stage that copies
# the 9 collectors, padded with LABELs to exactly 2,000 instructions. (One stage with 190
# COPY layers cannot be built: overlayfs stops at about 125 layers, "max depth exceeded".)
# The context needs files f0.txt..f9.txt.
#
#   scripts/gen-synthetic-dockerfile.sh > tests/benches/synthetic-200.Dockerfile
#
# `cargo bench` (tests/benches/compiler.rs) and scripts/bench-e2e.sh read the committed
# output; regenerate it with the command above after changing this script.
#
# STAGES and TOTAL (default 200 and 2000) scale it for scripts/bench-scaling.sh: TOTAL must
# be at least what the stages emit (about 10 per stage).
set -euo pipefail
stages=${STAGES:-200} total=${TOTAL:-2000} collectors=9
work=$((stages - collectors - 1))
n=0
emit() { printf '%s\n' "$1"; n=$((n + 1)); }
for ((i = 0; i < work; i++)); do
    emit "FROM busybox:latest AS s$i"
    emit "ARG V$i=v$i"
    emit "ENV A$i=\${V$i} B$i=b$i"
    emit "WORKDIR /w$i"
    emit "COPY f$((i % 10)).txt ./"
    if [ "$i" -gt 0 ]; then
        emit "COPY --from=s$(((i - 1) / 2)) /out ./parent"
    else
        emit "USER root"
    fi
    emit "RUN --mount=type=cache,target=/c echo $i \$A$i > /out"
    emit "LABEL stage$i=\"\$A$i\""
    emit "EXPOSE $((8000 + i))"
done
for ((c = 0; c < collectors; c++)); do
    emit "FROM scratch AS c$c"
    for ((i = c; i < work; i += collectors)); do
        emit "COPY --from=s$i /out /o/$i"
    done
done
emit "FROM scratch AS final"
for ((c = 0; c < collectors; c++)); do
    emit "COPY --from=c$c /o /o"
done
while [ "$n" -lt "$total" ]; do
    emit "LABEL pad$n=$n"
done
