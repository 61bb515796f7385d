#!/usr/bin/env bash
# Runs every test: unit, conformance, snapshots, then end-to-end through a real BuildKit on
# both engines (scripts/e2e-env.sh): Debian bookworm's Docker 20.10 (BuildKit v0.8), then
# Docker 28.5 with buildx 0.29 (what users run). Prints how long each part took and,
# at the end, one summary line per suite and engine.
#   MSTAGE_SKIP_E2E=1 bash scripts/test.sh        quick local run without the engine part
#   MSTAGE_SKIP_PACKAGE=1 bash scripts/test.sh    without the multi-platform image (two static
#                                                 release builds with Debian's toolchain)
#   MSTAGE_ENGINES=current bash scripts/test.sh   the engine part on one engine only
# Without ../shared/conformance beside the repository, the conformance suites are skipped
# and listed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
t0=$(date +%s)
cargo build --workspace --release
# The registry-resolver test starts Debian's docker-registry on 127.0.0.1.
# (Where it cannot be installed, that test fails; MSTAGE_SKIP_REGISTRY=1 skips it.)
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh
command -v docker-registry >/dev/null || apt_install docker-registry || true
# Tests that need ../shared/conformance (beside the repository; a clone of the repository
# alone lacks it) pass without checking anything where it is missing, each suite adding its
# name to this list (tests/src/conformance.rs), printed at the end.
export MSTAGE_SKIPPED_CONFORMANCE
MSTAGE_SKIPPED_CONFORMANCE=$(mktemp /tmp/mstage-skipped.XXXXXX)
cargo nextest run --workspace --no-fail-fast || status=1
skipped=$(sort -u "$MSTAGE_SKIPPED_CONFORMANCE" | paste -sd ' ' -)
rm -f "$MSTAGE_SKIPPED_CONFORMANCE"
timings="test.sh: build and unit tests $(($(date +%s) - t0)) s"

# The release files (workflows, Dockerfiles), then the frontend image for linux/amd64 and
# linux/arm64, the arm64 binary checked under qemu against the amd64 one.
release_summary=$(mktemp /tmp/mstage-release-summary.XXXXXX)
t=$(date +%s)
bash scripts/lint-release-files.sh >>"$release_summary" || status=1
if [ "${MSTAGE_SKIP_PACKAGE:-0}" = 1 ]; then
    echo "test.sh: multi-platform image skipped (MSTAGE_SKIP_PACKAGE=1)" >&2
else
    bash scripts/check-image.sh >>"$release_summary" || status=1
fi
timings="$timings; release files and image $(($(date +%s) - t)) s"
cat "$release_summary" >&2

if [ "${MSTAGE_SKIP_E2E:-0}" = 1 ]; then
    echo "test.sh: end-to-end part skipped (MSTAGE_SKIP_E2E=1)" >&2
else
    export MSTAGE_SUMMARY
    MSTAGE_SUMMARY=$(mktemp /tmp/mstage-summary.XXXXXX)
    # 20.10 first, kept running through the current engine's part: the examples' base-image
    # stand-ins (debootstrap, minutes) are made once there and copied to the current engine.
    # Engines this run started are stopped at the end (E2E_KEEP=1 keeps them).
    engines=${MSTAGE_ENGINES:-old current}
    was_up=()
    for engine in $engines; do
        E2E_ENGINE=$engine bash scripts/e2e-env.sh status | grep -q '^engine: answers' && was_up+=("$engine")
    done
    for engine in $engines; do
        t=$(date +%s)
        E2E_ENGINE=$engine E2E_KEEP=1 bash scripts/e2e.sh || status=1
        timings="$timings; engine $engine $(($(date +%s) - t)) s"
    done
    for engine in $engines; do
        [[ " ${was_up[*]} " == *" $engine "* ]] || [ "${E2E_KEEP:-0}" = 1 ] ||
            E2E_ENGINE=$engine bash scripts/e2e-env.sh down
    done
    echo "== summary" >&2
    cat "$MSTAGE_SUMMARY" >&2
    rm -f "$MSTAGE_SUMMARY"
fi
echo "== release" >&2
cat "$release_summary" >&2
rm -f "$release_summary"
echo "$timings" >&2
if [ -n "$skipped" ]; then
    echo "test.sh: skipped, ../shared/conformance not found: $skipped" >&2
fi
exit $status
