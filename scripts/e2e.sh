#!/usr/bin/env bash
# The end-to-end part of scripts/test.sh: engine up, local base images, mstage:dev from a
# static build, then the e2e cases (mstage vs the stock frontend) and BuildKit's integration
# cases (stock frontend as the baseline, then mstage), then every example of examples/
# (scripts/examples.sh). Stops what it started, by PID.
#
#   E2E_KEEP=1              keep a dockerd this script started (for the next run)
#   MSTAGE_IT_STOCK_ALL=1   also build testEmptyStages with the stock frontend (crashes dockerd)
#   MSTAGE_IT_STRICT=1      also fail when mstage fails an integration case the stock
#                           frontend passes (the issue's acceptance); otherwise only the
#                           cases in tests/integration/must-pass.txt gate
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
trap e2e_down EXIT
e2e_up
e2e_images

bash scripts/package-dev-image.sh --build
if [ ! -x target/release/e2e ] || [ ! -x target/release/buildkit_integration ]; then
    cargo build --release -p mstage-tests --bins
fi

status=0
echo "== e2e cases through mstage:dev" >&2
target/release/e2e --frontend mstage:dev || status=1

restart="bash $(pwd)/scripts/e2e-env.sh up"
echo "== BuildKit integration cases, stock frontend (baseline)" >&2
# testEmptyStages panics dockerd 20.10's built-in frontend and takes the daemon (and any
# other build on it) down; MSTAGE_IT_STOCK_ALL=1 runs it anyway (the runner restarts dockerd).
skip=(--skip '^testEmptyStages$')
[ "${MSTAGE_IT_STOCK_ALL:-0}" = 1 ] && skip=()
target/release/buildkit_integration --frontend stock --jobs 2 --restart-engine "$restart" \
    "${skip[@]}" --json "$E2E_STATE/integration-stock.json" || status=1
echo "== BuildKit integration cases, mstage:dev" >&2
strict=()
[ "${MSTAGE_IT_STRICT:-0}" = 1 ] && strict=(--strict-baseline)
target/release/buildkit_integration --frontend mstage:dev --jobs 2 --restart-engine "$restart" \
    --json "$E2E_STATE/integration-mstage.json" --baseline "$E2E_STATE/integration-stock.json" \
    --must-pass tests/integration/must-pass.txt "${strict[@]}" || status=1
echo "== examples/ built through mstage:dev, run and measured (scripts/examples.sh)" >&2
bash scripts/examples.sh || status=1
exit $status
