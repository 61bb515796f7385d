#!/usr/bin/env bash
# Builds every example of examples/ through its `# syntax=mstage:dev` line on the Docker
# engine's BuildKit, runs the images and checks what they do, checks that the engine's
# built-in frontend rebuilds them from mstage's cache, builds each Dockerfile.single and
# measures both images. The checks are the runner target/release/example_checks
# (tests/src/bin/example_checks; what each example checks is its table.rs); this script
# sets up what it needs: the engine (E2E_ENGINE of scripts/e2e-env.sh: old = Debian's 20.10,
# current = 28.5 with buildx), the busybox stand-in, mstage:dev and the examples' base-image
# stand-ins (scripts/make-example-standins.sh; nothing can be pulled here). The last line,
# on stdout, is `examples (docker 28.5): 9/9`; exits 1 when an example fails.
#
#   bash scripts/examples.sh [--update-readmes] [--frontend TAG] [NAME...]   default: every example
#
# --update-readmes  also writes the measured sizes into each example's README and the
#                   top-level README (between the <!-- sizes --> markers)
# --frontend TAG    builds through the frontend image TAG (as BUILDKIT_SYNTAX) in place of
#                   each Dockerfile's `# syntax=mstage:dev` (e.g. a helper's mstage:wt-NAME)
# EXAMPLES_NO_CACHE=1       every build with --no-cache (to time a build from a clean cache)
# EXAMPLE_BUILD_TIMEOUT=600 seconds after which one docker build is ended and fails
#
# Images are tagged mstage-example/NAME:multi, :single and so on. Logs:
# $E2E_STATE/examples/NAME.log; the size table: $E2E_STATE/examples/sizes.md (and .tsv).
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in -h | --help) sed -n '2,22p' "$0"; exit 0 ;; esac

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
# The runner removes the containers it starts; should it be killed, they are listed here.
containers=$E2E_STATE/examples/containers
cleanup() {
    local c
    if [ -f "$containers" ]; then
        while read -r c; do "$DOCKER" rm -f "$c" >/dev/null 2>&1 || true; done <"$containers"
        rm -f "$containers"
    fi
    e2e_down
}
trap cleanup EXIT
e2e_up
e2e_images
if ! "$DOCKER" image inspect mstage:dev >/dev/null 2>&1; then
    bash scripts/package-dev-image.sh --build
fi
t_standins=$(date +%s)
bash scripts/make-example-standins.sh
echo "examples: stand-ins: $(($(date +%s) - t_standins)) s" >&2
cargo build --release -q -p mstage-tests --bin example_checks
target/release/example_checks "$@"
