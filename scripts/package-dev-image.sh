#!/usr/bin/env bash
# Packages an mstage binary built on the host as the frontend image `mstage:dev` in the local
# Docker engine, offline: one static binary in an otherwise empty image, run as a non-root
# user, with the labels BuildKit reads from a frontend image.
#
#   scripts/package-dev-image.sh [--build] [--tag TAG] [BINARY]
#
# --build     first build the static binary, without the CLI-only `registry` feature:
#             RUSTFLAGS='-C target-feature=+crt-static' cargo build --release
#               --target x86_64-unknown-linux-gnu -p mstage --no-default-features
# BINARY      default: target/x86_64-unknown-linux-gnu/release/mstage (the static build)
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1
TRIPLE=x86_64-unknown-linux-gnu
tag=mstage:dev build=0 bin=

while [ $# -gt 0 ]; do
    case $1 in
    --build) build=1 ;;
    --tag) tag=$2; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "package-dev-image: unknown option $1" >&2; exit 2 ;;
    *) bin=$1 ;;
    esac
    shift
done

if [ "$build" = 1 ]; then
    # The target triple keeps RUSTFLAGS off build scripts and proc macros (they stay dynamic).
    RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --target "$TRIPLE" -p mstage --no-default-features
fi
target_dir=${CARGO_TARGET_DIR:-target}
bin=${bin:-$target_dir/$TRIPLE/release/mstage}
if [ ! -x "$bin" ]; then
    echo "package-dev-image: no binary at $bin (run with --build)" >&2
    exit 1
fi
# The image has no libc, so only a fully static binary can start in it.
if ! file -L "$bin" | grep -Eq 'statically linked|static-pie linked'; then
    echo "package-dev-image: $bin is not statically linked: $(file -L "$bin")" >&2
    exit 1
fi

ctx=$(mktemp -d /tmp/mstage-package.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp "$bin" "$ctx/mstage"
chmod 0755 "$ctx/mstage"
# No syntax line: the engine's built-in frontend builds this, nothing is pulled.
cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY mstage /bin/mstage
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
USER 65532:65532
ENTRYPOINT ["/bin/mstage"]
EOF
"$DOCKER" build -q -t "$tag" "$ctx" >/dev/null
echo "package-dev-image: $tag <- $bin ($(du -h "$bin" | cut -f1), $("$DOCKER" image inspect -f '{{.Id}}' "$tag"))" >&2
