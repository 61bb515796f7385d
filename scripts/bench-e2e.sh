#!/usr/bin/env bash
# End-to-end cost of the mstage frontend against the engine's built-in Dockerfile frontend,
# on the local Docker engine (the e2e harness: scripts/e2e-env.sh), in one run:
#
# - wall time of `docker build` for a near-empty build (`FROM scratch` + one small COPY)
#   and for a fully cached multi-stage build, through `# syntax=<frontend image>` and
#   through the built-in frontend, alternating (mstage first on even runs, stock first on
#   odd runs, so both see the same disturbance from other work), medians and the ratio;
# - the frontend image size;
# - the frontend process's peak RSS and serving time (it logs `mstage: peak-rss-kib=N
#   served-ms=M start-unix-us=S` to stderr at exit, which buildkitd writes to the dockerd
#   log) for the near-empty build and for the synthetic 200-stage Dockerfile
#   (tests/benches/synthetic-200.Dockerfile);
# - where an mstage build's time goes: until the frontend process starts, serving, after
#   its Return (medians over the timed builds).
#
#   scripts/bench-e2e.sh [--runs N] [--image TAG] [--no-package] [--synthetic-runs N]
#
# --runs N            timed builds per workload and frontend (default 10)
# --image TAG         frontend image (default mstage:bench)
# --no-package        use TAG as it is; default: scripts/package-dev-image.sh --build --tag TAG
# --synthetic-runs N  also time the cached synthetic build N times per frontend (default 0)
#
# The first synthetic build runs 190 RUN steps (a few minutes); later runs are cached.
# Images it tags: mstage-bench-<workload>:<frontend>, and TAG.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10 image=mstage:bench package=1 synth_runs=0
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift ;;
    --image) image=$2; shift ;;
    --no-package) package=0 ;;
    --synthetic-runs) synth_runs=$2; shift ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "bench-e2e: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
trap e2e_down EXIT
e2e_up
e2e_images
[ "$package" = 1 ] && bash scripts/package-dev-image.sh --build --tag "$image"
"$DOCKER" image inspect "$image" >/dev/null

work=$(mktemp -d /tmp/mstage-bench.XXXXXX)
trap 'rm -rf "$work"; e2e_down' EXIT
dockerd_log=$E2E_STATE/dockerd.log

# --- workloads: <name>/Dockerfile (no syntax line) and its context -----------------------
mkdir -p "$work/empty" "$work/multistage" "$work/synthetic"
echo hello >"$work/empty/hello.txt"
printf 'FROM scratch\nCOPY hello.txt /\n' >"$work/empty/Dockerfile"

cat >"$work/multistage/app.sh" <<'EOF'
#!/bin/sh
echo "app $(cat /etc/app-version)"
EOF
echo 1.0 >"$work/multistage/version"
cat >"$work/multistage/Dockerfile" <<'EOF'
FROM busybox:latest AS base
ENV APP_HOME=/opt/app
WORKDIR $APP_HOME
FROM base AS deps
RUN mkdir -p /deps && for i in 1 2 3 4 5; do echo "dep $i" > /deps/dep$i; done
FROM base AS build
ARG VERSION=1.0
COPY app.sh version ./
COPY --from=deps /deps /deps
RUN cat /deps/* > bundle && cp version /etc/app-version && chmod +x app.sh
FROM build AS test
RUN ./app.sh > /test.log && grep -q "app 1.0" /test.log
FROM busybox:latest
COPY --from=build /opt/app /opt/app
COPY --from=build /etc/app-version /etc/app-version
COPY --from=test /test.log /test.log
USER 1000:1000
ENTRYPOINT ["/opt/app/app.sh"]
EOF

cp tests/benches/synthetic-200.Dockerfile "$work/synthetic/Dockerfile"
for i in 0 1 2 3 4 5 6 7 8 9; do echo "file $i" >"$work/synthetic/f$i.txt"; done

# Dockerfile variants: mstage gets the syntax line, stock the file as it is.
for w in empty multistage synthetic; do
    { echo "# syntax=$image"; cat "$work/$w/Dockerfile"; } >"$work/$w/Dockerfile.mstage"
    cp "$work/$w/Dockerfile" "$work/$w/Dockerfile.stock"
done

# build <workload> <mstage|stock>: one build, its wall time in seconds on stdout. For
# mstage it also appends "<client start> <client end> <frontend start> <served ms>" (seconds,
# seconds, microseconds, milliseconds) to $work/<workload>.phases, from the frontend's exit line.
build() {
    local w=$1 fe=$2 t0 t1 log_at
    log_at=$(log_size)
    t0=$EPOCHREALTIME
    if ! "$DOCKER" build -q -f "$work/$w/Dockerfile.$fe" -t "mstage-bench-$w:$fe" \
        "$work/$w" >"$work/last.log" 2>&1; then
        echo "bench-e2e: $w through $fe failed:" >&2
        cat "$work/last.log" >&2
        return 1
    fi
    t1=$EPOCHREALTIME
    if [ "$fe" = mstage ] && [ -r "$dockerd_log" ]; then
        tail -c +"$((log_at + 1))" "$dockerd_log" |
            sed -n 's/.*served-ms=\([0-9]*\) start-unix-us=\([0-9]*\).*/\2 \1/p' | tail -1 |
            awk -v a="$t0" -v b="$t1" '{ print a, b, $1, $2 }' >>"$work/$w.phases"
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

# phases <workload>: medians, in ms, of the three parts of an mstage build: client start to
# frontend start (the built-in frontend forwarding `# syntax=`, resolving the frontend image
# and starting its container), the frontend serving (start to Return), and the rest (the
# container's exit, solving the result and exporting the image).
phases() {
    local f=$work/$1.phases
    [ -s "$f" ] || { echo "no frontend exit lines found in $dockerd_log"; return; }
    local before serve after
    before=$(awk '{ printf "%.1f\n", ($3 / 1e6 - $1) * 1000 }' "$f" | median)
    serve=$(awk '{ print $4 }' "$f" | median)
    after=$(awk '{ printf "%.1f\n", ($2 - $3 / 1e6) * 1000 - $4 }' "$f" | median)
    printf 'until the frontend process starts %.0f ms, serving %.0f ms, after Return %.0f ms\n' \
        "$before" "$serve" "$after"
}

# The frontend's `mstage: peak-rss-kib=N` lines written to the dockerd log since byte $1.
peak_since() {
    [ -r "$dockerd_log" ] || return 0
    tail -c +"$(($1 + 1))" "$dockerd_log" | grep -o 'peak-rss-kib=[0-9]*' | cut -d= -f2 || true
}
# The frontend's own serving time (`served-ms=N`, from its start to `Return`) since byte $1.
served_since() {
    [ -r "$dockerd_log" ] || return 0
    tail -c +"$(($1 + 1))" "$dockerd_log" | grep -o 'served-ms=[0-9]*' | cut -d= -f2 || true
}
log_size() { if [ -r "$dockerd_log" ]; then stat -c %s "$dockerd_log"; else echo 0; fi; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_workload <workload> <runs>: alternating timed builds, after one untimed warm-up each.
declare -A med
time_workload() {
    local w=$1 n=$2 i fe
    build "$w" mstage >/dev/null
    build "$w" stock >/dev/null
    : >"$work/$w.mstage.times"
    : >"$work/$w.phases"
    : >"$work/$w.stock.times"
    for ((i = 0; i < n; i++)); do
        if ((i % 2 == 0)); then order="mstage stock"; else order="stock mstage"; fi
        for fe in $order; do
            build "$w" "$fe" >>"$work/$w.$fe.times"
        done
    done
    med[$w.mstage]=$(median <"$work/$w.mstage.times")
    med[$w.stock]=$(median <"$work/$w.stock.times")
    echo "bench-e2e: $w: median mstage ${med[$w.mstage]} s, stock ${med[$w.stock]} s" >&2
}

echo "bench-e2e: $runs timed runs per workload and frontend, alternating; frontend $image" >&2
start=$(log_size)
time_workload empty "$runs"
empty_peaks=$(peak_since "$start" | sort -n | tail -1)
empty_served=$(served_since "$start" | median | awk '{ printf "%.0f", $1 }')
time_workload multistage "$runs"

echo "bench-e2e: synthetic 200-stage build through $image (the first one runs 190 RUN steps)" >&2
start=$(log_size)
synth_ok=1
build synthetic mstage >/dev/null || synth_ok=0
synth_peak=$(peak_since "$start" | sort -n | tail -1)
if [ "$synth_ok" = 1 ] && [ "$synth_runs" -gt 0 ]; then
    time_workload synthetic "$synth_runs"
fi

# --- report -------------------------------------------------------------------------------
bin_size=$("$DOCKER" image inspect -f '{{.Size}}' "$image")
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
kib_mib() { if [ -n "$1" ]; then awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; else echo "not found in $dockerd_log"; fi; }
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "engine: dockerd $("$DOCKER" version --format '{{.Server.Version}}')"
echo "frontend image $image: $(mib "$bin_size")"
printf '%-22s %5s %14s %14s %8s\n' workload runs mstage stock ratio
rows=(empty multistage)
[ "$synth_ok" = 1 ] && [ "$synth_runs" -gt 0 ] && rows+=(synthetic)
for w in "${rows[@]}"; do
    n=$runs
    [ "$w" = synthetic ] && n=$synth_runs
    printf '%-22s %5s %12.3f s %12.3f s %7.2fx\n' "$w" "$n" "${med[$w.mstage]}" "${med[$w.stock]}" \
        "$(awk -v a="${med[$w.mstage]}" -v b="${med[$w.stock]}" 'BEGIN { print a / b }')"
done
echo "(medians of wall time per docker build; empty = FROM scratch + one COPY; multistage = 5 stages, cached)"
echo "frontend process, median from start to Return (served-ms) in the empty build: ${empty_served:-?} ms"
echo "empty build through mstage, medians: $(phases empty)"
echo "multistage build through mstage, medians: $(phases multistage)"
echo "frontend peak RSS: empty build $(kib_mib "$empty_peaks"), synthetic 200-stage build $(kib_mib "$synth_peak")"
if [ "$synth_ok" != 1 ]; then
    echo "bench-e2e: the synthetic build failed (its log is above)" >&2
    exit 1
fi
