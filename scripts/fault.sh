#!/usr/bin/env bash
# The fault test (tests/src/bin/fault) on a dockerd of its own, never a shared one: the
# current engine's binaries (scripts/e2e-env.sh, E2E_ENGINE=current) with their own state
# dir, socket, data root, exec root (and so containerd), pid file and bridge. The test stops
# that dockerd by its recorded PID in the middle of a build and starts it again; this script
# stops it at the end. busybox:latest and the frontend image are loaded into it first (the
# frontend from the static binary scripts/package-dev-image.sh --build made).
#
#   scripts/fault.sh [FRONTEND_TAG]        default mstage:dev
#   FAULT_STATE=/tmp/mstage-fault          its state dir (kept for the next run)
set -euo pipefail
cd "$(dirname "$0")/.."
frontend=${1:-mstage:dev}
export E2E_ENGINE=current E2E_KEEP=0
export E2E_STATE=${FAULT_STATE:-/tmp/mstage-fault}
export E2E_CURRENT_BRIDGE=mstagefault E2E_CURRENT_SUBNET=172.28.98.0/24
case $E2E_STATE in
/tmp/mstage-e2e | /tmp/mstage-e2e-28)
    echo "fault.sh: $E2E_STATE is a shared engine's state; the fault test needs its own" >&2
    exit 2
    ;;
esac
# The client and engine binaries of the current engine; their socket comes from E2E_STATE.
unset DOCKER DOCKER_HOST
export E2E_CURRENT_DIR=${E2E_CURRENT_DIR:-$(pwd)/.engines/docker-28}
# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
trap e2e_down EXIT
e2e_up
e2e_images
bash scripts/package-dev-image.sh --tag "$frontend"
[ -x target/release/fault ] || cargo build --release -p mstage-tests --bin fault
env="$(pwd)/scripts/e2e-env.sh"
target/release/fault --frontend "$frontend" --work "$E2E_STATE/work" \
    --stop-engine "bash $env down" --start-engine "bash $env up"
