#!/usr/bin/env bash
# A local stand-in for `rust:1-bookworm` (which cannot be pulled here), to check that the
# top-level Dockerfile really builds the frontend image:
#
#   bash scripts/make-rust-standin-image.sh            -> image mstage-rust-standin:local
#   docker build --build-arg RUST_IMAGE=mstage-rust-standin:local -t mstage:src .
#
# It is this (Debian bookworm) machine's /usr, the host's stable Rust toolchain and its
# crates.io download cache, offline (CARGO_NET_OFFLINE). For a test only; CI does not use it.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
IMAGE=${RUST_STANDIN_IMAGE:-mstage-rust-standin:local}
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
toolchain=$(find "$RUSTUP_HOME/toolchains" -maxdepth 1 -name "stable-*" | sort | head -1)
[ -x "$toolchain/bin/cargo" ] || { echo "no stable toolchain under $RUSTUP_HOME" >&2; exit 1; }

work=$(mktemp -d /tmp/mstage-rust-standin.XXXXXX)
trap 'rm -rf "$work"' EXIT
tc=$(basename "$toolchain")
mkdir -p "$work/extra/cargo-bin" "$work/extra/etc" "$work/extra/tmp" "$work/extra/root"
chmod 1777 "$work/extra/tmp"
for b in cargo rustc rustdoc; do
    ln -s "/usr/local/rustup/toolchains/$tc/bin/$b" "$work/extra/cargo-bin/$b"
done
# Only what a C/Rust build needs from /etc (no host secrets).
for f in passwd group nsswitch.conf os-release ld.so.conf ld.so.cache; do cp -L "/etc/$f" "$work/extra/etc/"; done
cp -a /etc/ld.so.conf.d /etc/alternatives "$work/extra/etc/"
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$work/extra/$l"; done

# One tar stream (--exclude sees names before --transform): the host's /usr (minus large unrelated trees), the toolchain, the cache.
tar -cf - \
    --exclude=usr/lib/google-cloud-sdk --exclude=usr/lib/jvm --exclude=usr/lib/postgresql \
    --exclude=usr/lib/llvm-14 --exclude=usr/share/doc --exclude=usr/share/man \
    --exclude=usr/share/locale --exclude=usr/local --exclude='usr/lib/python3*' \
    --transform "s,^$tc,usr/local/rustup/toolchains/$tc," \
    --transform 's,^registry,usr/local/cargo/registry,' \
    --transform 's,^cargo-bin,usr/local/cargo/bin,' \
    -C / usr -C "$work/extra" bin lib lib64 sbin etc tmp root cargo-bin -C "$(dirname "$toolchain")" "$tc" -C "$CARGO_HOME" registry |
    "$DOCKER" import \
        --change 'ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo CARGO_NET_OFFLINE=true' \
        --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --message "mstage test stand-in for rust:1-bookworm (host toolchain)" - "$IMAGE" >/dev/null
echo "make-rust-standin-image: $IMAGE" >&2
