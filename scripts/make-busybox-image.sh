#!/usr/bin/env bash
# Makes the local `busybox:latest` stand-in from Debian's busybox-static: the official image's
# layout (buildroot skeleton /etc/passwd, /etc/group, /etc/shadow; every applet hard-linked
# into /bin as `busybox --install /bin` does; home dirs with their owners), plus
# adduser/addgroup scripts for the applets Debian's build lacks. Config as the official
# image: Env PATH, Cmd ["sh"]. Differences are listed in tests/e2e/README.md.
#
# Deterministic layer (sorted names, fixed mtimes, numeric owners): when busybox:latest
# already carries this exact layer, nothing is re-imported, so BuildKit's cache stays valid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
IMAGE=${BUSYBOX_IMAGE:-busybox:latest}
BUSYBOX_BIN=${BUSYBOX_BIN:-/bin/busybox}

if ! "$BUSYBOX_BIN" --list >/dev/null 2>&1 || ! file -L "$BUSYBOX_BIN" 2>/dev/null | grep -q 'statically linked'; then
    echo "make-busybox-image: need a static busybox at $BUSYBOX_BIN (Debian package busybox-static)" >&2
    exit 1
fi

work=$(mktemp -d /tmp/mstage-busybox.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,dev,etc,home,lib,root,tmp,usr/bin,usr/sbin,var/spool/mail,var/www}
ln -s lib "$root/lib64"

cp "$BUSYBOX_BIN" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for applet in $("$BUSYBOX_BIN" --list); do
    [ "$applet" = busybox ] && continue
    ln "$root/bin/busybox" "$root/bin/$applet"
done
# Applets Debian's build lacks, as scripts (only where busybox has no applet of that name).
for script in "$here"/busybox-rootfs/bin/*; do
    name=$(basename "$script")
    [ -e "$root/bin/$name" ] && continue
    install -m 0755 "$script" "$root/bin/$name"
done
ln -s ../../bin/env "$root/usr/bin/env"

install -m 0644 "$here"/busybox-rootfs/etc/passwd "$here"/busybox-rootfs/etc/group \
    "$here"/busybox-rootfs/etc/nsswitch.conf "$root/etc/"
install -m 0600 "$here"/busybox-rootfs/etc/shadow "$root/etc/"
if [ -f /usr/share/zoneinfo/UTC ]; then
    cp /usr/share/zoneinfo/UTC "$root/etc/localtime"
    chmod 0644 "$root/etc/localtime"
fi

# Modes and owners as buildroot's device table and the official image's home-dir step.
chmod 0755 "$root" "$root"/{bin,dev,etc,home,lib,usr,usr/bin,usr/sbin,var,var/spool,var/spool/mail,var/www}
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
chown 1:1 "$root/usr/sbin"
chown 8:8 "$root/var/spool/mail"
chown 33:33 "$root/var/www"
chown 65534:65534 "$root/home"

tar --sort=name --numeric-owner --mtime=@0 --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$root" -cf "$work/layer.tar" .
want="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"

have=$("$DOCKER" image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$IMAGE" 2>/dev/null || true)
if [ "$have" = "$want " ]; then
    echo "make-busybox-image: $IMAGE is up to date ($want)" >&2
    exit 0
fi

"$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sh"]' \
    --message "BusyBox $("$BUSYBOX_BIN" | head -1 | awk '{print $2}') (Debian busybox-static), mstage stand-in" \
    "$work/layer.tar" "$IMAGE" >/dev/null
echo "make-busybox-image: imported $IMAGE ($want)" >&2
