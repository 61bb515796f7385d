#!/usr/bin/env bash
# The end-to-end part of scripts/test.sh on one engine (E2E_ENGINE=old|current, see
# scripts/e2e-env.sh): engine up, local base images, mstage:dev from a static build, then the
# e2e cases (mstage vs the engine's built-in frontend), BuildKit's integration cases (built-in
# frontend as the baseline, then mstage), the `--call` differential and the bad-input
# catalogue (tests/src/hostile.rs; both current engine only), the load, secrets and fault
# tests (tests/src/bin/{load,secrets,fault}; the fault test on a dockerd of its own, current
# engine only: scripts/fault.sh), then every example of examples/ (scripts/examples.sh).
# Stops what it started, by PID.
# The runners' summary lines are appended to $MSTAGE_SUMMARY when it is set.
#
#   E2E_KEEP=1              keep a dockerd this script started (for the next run)
#   MSTAGE_IT_STOCK_ALL=1   also build testEmptyStages with 20.10's built-in frontend
#                           (it crashes that dockerd)
#   MSTAGE_IT_STRICT=1      also fail when mstage fails an integration case the stock
#                           frontend passes; otherwise the engine's must-pass list gates
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
trap e2e_down EXIT
e2e_up
e2e_images
label=$(e2e_engine_label)
summary=${MSTAGE_SUMMARY:-/dev/null}
# Passes a runner's stdout on and keeps its summary lines for the end of the whole run.
# (Not `tee /dev/stderr`: where stderr is a file, that reopens and truncates it.)
keep_summary() {
    local line
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
        e2e\ * | integration\ * | examples\ * | calls\ * | concurrent\ builds:* | fault\ * | secrets\ * | hostile\ *)
            printf '%s
' "$line" >>"$summary"
            ;;
        esac
    done
}

bash scripts/package-dev-image.sh --build
# The runners, always rebuilt (a no-op when fresh): a binary left from older sources would
# test the wrong thing.
cargo build --release -p mstage-tests --bins

status=0
echo "== [$label] e2e cases through mstage:dev" >&2
target/release/e2e --frontend mstage:dev --work "$E2E_STATE/e2e-cases" | keep_summary || status=1

if [ "$E2E_ENGINE" = current ]; then
    echo "== [$label] --call answers through mstage:dev against the built-in frontend's" >&2
    target/release/calls --frontend mstage:dev --jobs 4 | keep_summary || status=1
fi

echo "== [$label] load: concurrent builds through mstage:dev and the built-in frontend" >&2
target/release/load --frontend mstage:dev --work "$E2E_STATE/load" | keep_summary || status=1
echo "== [$label] secrets: secret and SSH mounts leave nothing in the Definition or image" >&2
target/release/secrets --frontend mstage:dev --work "$E2E_STATE/secrets" | keep_summary || status=1
if [ "$E2E_ENGINE" = current ]; then
    # Stops and starts a dockerd: one of its own, never this shared one.
    echo "== [$label] fault: dockerd stopped mid-build and started again (scripts/fault.sh)" >&2
    bash scripts/fault.sh mstage:dev | keep_summary || status=1
fi

# E2E_ENGINE is exported, so the restart brings back this engine.
restart="bash $(pwd)/scripts/e2e-env.sh up"
echo "== [$label] BuildKit integration cases, built-in frontend (baseline)" >&2
# testEmptyStages panics dockerd 20.10's built-in frontend and takes the daemon (and any
# other build on it) down; MSTAGE_IT_STOCK_ALL=1 runs it anyway (the runner restarts dockerd).
skip=()
[ "$E2E_ENGINE" = old ] && [ "${MSTAGE_IT_STOCK_ALL:-0}" != 1 ] && skip=(--skip '^testEmptyStages$')
target/release/buildkit_integration --frontend stock --jobs 2 --restart-engine "$restart" \
    "${skip[@]}" --must-pass tests/integration/must-pass.txt \
    --json "$E2E_STATE/integration-stock.json" || status=1
if [ "$E2E_ENGINE" = current ]; then
    # The bad-input catalogue (tests/src/hostile.rs) through the gateway: each case the
    # built-in frontend rejects fails with the Dockerfile snippet and no frontend crash.
    # About 10 minutes, most of it the 50,000-stage, 10,000-source and 500-step cases.
    # (MSTAGE_HOSTILE_STOCK=1 first re-checks the catalogue's verdicts with the built-in
    # frontend, as they were recorded.)
    if [ "${MSTAGE_HOSTILE_STOCK:-0}" = 1 ]; then
        echo "== [$label] bad-input catalogue, built-in frontend (the recorded verdicts)" >&2
        target/release/hostile --frontend stock --work "$E2E_STATE/hostile-stock" | keep_summary || status=1
    fi
    echo "== [$label] bad-input catalogue through mstage:dev" >&2
    target/release/hostile --frontend mstage:dev --work "$E2E_STATE/hostile" | keep_summary || status=1
fi

echo "== [$label] BuildKit integration cases, mstage:dev" >&2
strict=()
[ "${MSTAGE_IT_STRICT:-0}" = 1 ] && strict=(--strict-baseline)
target/release/buildkit_integration --frontend mstage:dev --jobs 2 --restart-engine "$restart" \
    --json "$E2E_STATE/integration-mstage.json" --baseline "$E2E_STATE/integration-stock.json" \
    --must-pass tests/integration/must-pass.txt "${strict[@]}" | keep_summary || status=1
echo "== [$label] examples/ built through mstage:dev, run and measured (scripts/examples.sh)" >&2
bash scripts/examples.sh | keep_summary || status=1
exit $status
