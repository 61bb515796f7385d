#!/usr/bin/env bash
# Optional local stand-in for `debian:bookworm-slim` (`scripts/e2e-env.sh debian-image`):
# a debootstrap minbase of bookworm from the Debian mirror apt uses, imported with the
# official image's config (Env PATH, Cmd ["bash"]). Slow (a few minutes); made only when
# the image is missing, or always with --force.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
IMAGE=${DEBIAN_IMAGE:-debian:bookworm-slim}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ "${1:-}" != --force ] && "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "make-debian-image: $IMAGE exists (--force to remake it)" >&2
    exit 0
fi
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "$0")/lib/apt.sh"
command -v debootstrap >/dev/null || apt_install debootstrap || {
    echo "make-debian-image: needs debootstrap (root on Debian installs it)" >&2
    exit 1
}

root=$(mktemp -d /tmp/mstage-debian.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 || {
    echo "make-debian-image: debootstrap failed, see $root.log" >&2
    exit 1
}
# As slim as the official image: no apt lists, no downloaded packages, no docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase bookworm, mstage stand-in" - "$IMAGE" >/dev/null
rm -f "$root.log"
echo "make-debian-image: imported $IMAGE" >&2
