#!/usr/bin/env bash
# Main job: bring up a BuildKit engine (Docker), package mstage as the frontend image
# `mstage:dev`, build an example through `# syntax=mstage:dev` and run it.
#
#   bash scripts/demo.sh [EXAMPLE_DIR]      default examples/hello
#   bash scripts/demo.sh examples/java-maven   (any example; those need the base-image
#                                              stand-ins, made first: a few minutes once)
#
# Runs on the current engine (scripts/e2e-env.sh; E2E_ENGINE=old for Docker 20.10). A dockerd
# this script starts is stopped (by PID) when it ends; E2E_KEEP=1 keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
example=${1:-examples/hello}
name=mstage-demo/$(basename "$example")

# The current engine (Docker 28.5 with buildx) unless E2E_ENGINE=old asks for 20.10.
export E2E_ENGINE=${E2E_ENGINE:-current}
# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
trap e2e_down EXIT
e2e_up
e2e_images

bash scripts/package-dev-image.sh --build
# The other examples build on official images that cannot be pulled here: local stand-ins.
[ "$(basename "$example")" = hello ] || bash scripts/make-example-standins.sh

echo "== building $example through its '# syntax=mstage:dev' line" >&2
"$DOCKER" build --progress=plain -t "$name" "$example"
echo "== running $name" >&2
"$DOCKER" run --rm "$name"
