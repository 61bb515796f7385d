#!/usr/bin/env bash
# Runs every test: unit, conformance, snapshots, then end-to-end through a real BuildKit.
#   MSTAGE_SKIP_E2E=1 bash scripts/test.sh    quick local run without the engine part
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
cargo build --workspace --release
# The registry-resolver test starts Debian's docker-registry on 127.0.0.1.
if ! command -v docker-registry >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >/dev/null 2>&1; } || true
fi
cargo nextest run --workspace --no-fail-fast || status=1

if [ "${MSTAGE_SKIP_E2E:-0}" = 1 ]; then
    echo "test.sh: end-to-end part skipped (MSTAGE_SKIP_E2E=1)" >&2
else
    bash scripts/e2e.sh || status=1
fi
exit $status
