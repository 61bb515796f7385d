#!/usr/bin/env bash
# What starting the frontend's container costs on this engine, independent of mstage's code.
# A `# syntax=` build runs the frontend image in a container (`runc run`); this measures
# that container's cost and sets it against the whole built-in build, in one run:
#
# - near-empty builds (`FROM scratch` + one small COPY) through the frontend image and
#   through the built-in frontend, alternating: median wall time of each;
# - for the builds through the frontend: the median duration of buildkitd's `runc run` of
#   the frontend container, and of the frontend's own serving time inside it (its
#   `served-ms`);
# - the floor: `runc run` replayed with the exact container spec buildkitd used (captured
#   from its bundle), the process swapped for `/bin/mstage --version`, which exits at once;
#   median, with the spec's seccomp filter and without it.
#
#   scripts/bench-container-floor.sh [--runs N] [--image TAG]
#
# --runs N     builds per frontend, and replays per variant (default 10)
# --image TAG  frontend image (default mstage:dev; it must exist)
#
# It starts its own dockerd with a `runc` wrapper first on PATH (the wrapper logs each run's
# start and end and copies the bundle's config.json), so no other engine may be running:
# stop it first (`bash scripts/e2e-env.sh down`). Needs jq. Stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10 image=mstage:dev
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift ;;
    --image) image=$2; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench-container-floor: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
command -v jq >/dev/null || { echo "bench-container-floor: needs jq (apt-get install jq)" >&2; exit 1; }

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
if _e2e_engine_answers; then
    echo "bench-container-floor: an engine already answers on $E2E_SOCK; this needs to start" \
        "dockerd itself (with a runc wrapper). Stop it first: bash scripts/e2e-env.sh down" >&2
    exit 1
fi
real_runc=$(command -v runc) || { echo "bench-container-floor: no runc" >&2; exit 1; }

work=$(mktemp -d /tmp/mstage-floor.XXXXXX)
trap 'e2e_down; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/configs" "$work/ctx"
# The wrapper: one line per run ("<start> <end> <container id>"), and the bundle's spec.
cat >"$work/bin/runc" <<EOF
#!/usr/bin/env bash
t0=\$EPOCHREALTIME prev= bundle=
for a in "\$@"; do [ "\$prev" = --bundle ] && bundle=\$a; prev=\$a; done
[ -n "\$bundle" ] && cp "\$bundle/config.json" "$work/configs/\${bundle##*/}.json" 2>/dev/null
"$real_runc" "\$@"
rc=\$?
[ -n "\$bundle" ] && echo "\$t0 \$EPOCHREALTIME \${bundle##*/}" >>"$work/runs.log"
exit \$rc
EOF
chmod +x "$work/bin/runc"
export PATH="$work/bin:$PATH"
e2e_up
"$DOCKER" image inspect "$image" >/dev/null
dockerd_log=$E2E_STATE/dockerd.log

echo hello >"$work/ctx/hello.txt"
printf 'FROM scratch\nCOPY hello.txt /\n' >"$work/ctx/Dockerfile.stock"
{ echo "# syntax=$image"; cat "$work/ctx/Dockerfile.stock"; } >"$work/ctx/Dockerfile.frontend"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }

build() {
    local t0
    t0=$EPOCHREALTIME
    "$DOCKER" build -q -f "$work/ctx/Dockerfile.$1" "$work/ctx" >/dev/null
    ms "$t0" "$EPOCHREALTIME" >>"$work/$1.ms"
}
build frontend
build stock
: >"$work/frontend.ms"
: >"$work/stock.ms"
: >"$work/runs.log"
log_at=$(stat -c %s "$dockerd_log")
for ((i = 0; i < runs; i++)); do
    if ((i % 2 == 0)); then build frontend; build stock; else build stock; build frontend; fi
done
served=$(tail -c +"$((log_at + 1))" "$dockerd_log" | grep -o 'served-ms=[0-9]*' | cut -d= -f2 | median)
container=$(awk '{ printf "%.1f\n", ($2 - $1) * 1000 }' "$work/runs.log" | median)

# Replay: the last captured spec, with a rootfs holding the frontend binary.
spec=$(ls -t "$work"/configs/*.json | head -1)
rootfs=$work/rootfs
mkdir -p "$rootfs/etc"
cid=$("$DOCKER" create "$image")
"$DOCKER" cp "$cid:/bin" "$rootfs/bin" >/dev/null
"$DOCKER" rm "$cid" >/dev/null
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hosts"
# The bind mounts of buildkitd's per-run files are left out: those files are gone by now.
jq --arg root "$rootfs" '.root.path = $root | .process.args = ["/bin/mstage", "--version"]
    | .mounts |= map(select(.type != "bind"))' "$spec" >"$work/spec.json"
jq 'del(.linux.seccomp)' "$work/spec.json" >"$work/spec-noseccomp.json"
replay() {
    local variant=$1 b=$work/bundle-$1 i t0
    mkdir -p "$b"
    cp "$work/spec$2.json" "$b/config.json"
    : >"$work/replay-$variant.ms"
    for ((i = 0; i < runs; i++)); do
        t0=$EPOCHREALTIME
        "$real_runc" run --bundle "$b" "mstage-floor-$variant-$i-$$" >/dev/null </dev/null
        ms "$t0" "$EPOCHREALTIME" >>"$work/replay-$variant.ms"
    done
    median <"$work/replay-$variant.ms"
}
floor=$(replay seccomp "")
floor_noseccomp=$(replay noseccomp -noseccomp)

stock=$(median <"$work/stock.ms")
frontend=$(median <"$work/frontend.ms")
echo
echo "machine: $(nproc) cores; engine: dockerd $("$DOCKER" version --format '{{.Server.Version}}'); $($real_runc --version | head -1)"
echo "near-empty build, medians of $runs: built-in frontend $stock ms, through $image $frontend ms" \
    "($(awk -v a="$frontend" -v b="$stock" 'BEGIN { printf "%.2fx", a / b }'))"
echo "  buildkitd's runc run of the frontend container: $container ms, of which the frontend served $served ms"
echo "floor: runc run of the same spec with a process that exits at once: $floor ms" \
    "($floor_noseccomp ms without the seccomp filter)"
echo "the 1.3x target leaves $(awk -v b="$stock" 'BEGIN { printf "%.1f", 0.3 * b }') ms for everything a" \
    "# syntax= build adds, the container start and stop included"
