#!/usr/bin/env bash
# The Rust toolchain that builds the frontend image for every platform: Debian's rustc and
# cargo from the next release (forky, 1.97) with its standard library for each target, plus
# bookworm's cross gcc as the linker of the other architecture. rustup cannot fetch targets
# here, and a standard library must come from the same build as the compiler, so both come
# from Debian: fetched with `apt-get download` through apt lists of our own and unpacked
# with `dpkg -x` into .toolchains/ (git-ignored). System packages are not upgraded; only the
# cross gcc and libc6-dev-<arch>-cross are installed with apt-get (root only).
#
#   bash scripts/debian-rust.sh [ARCH...]     ARCH: amd64, arm64 (default: both)
#
# The standard library of both architectures is always fetched; ARCH says which cross gcc
# to install.
# Prints the directory of the wrappers `cargo` and `rustc` on stdout. Forky's binaries need
# glibc 2.39 and LLVM 22, newer than bookworm's, so the wrappers start them through forky's
# own dynamic loader with forky's libraries (--library-path, not LD_LIBRARY_PATH: the
# linker and build scripts they start run on the system's libraries). Warm, nothing is
# fetched. DEBIAN_RUST_SUITE (default forky) and DEBIAN_RUST_DIR (default
# .toolchains/debian-rust) change where it comes from and goes.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=${DEBIAN_RUST_SUITE:-forky}
DIR=${DEBIAN_RUST_DIR:-$PWD/.toolchains/debian-rust}
APT_DIR=$(dirname "$DIR")/apt-$SUITE
STD_ARCHS=(amd64 arm64)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(amd64 arm64)

log() { printf 'debian-rust: %s\n' "$*" >&2; }
host_arch=$(dpkg --print-architecture)
gnu_triple() {
    case $1 in
    amd64) echo x86_64-linux-gnu ;;
    arm64) echo aarch64-linux-gnu ;;
    *) log "unsupported architecture $1"; exit 2 ;;
    esac
}
# Debian's package-name spelling of a GNU triple (gcc-x86-64-linux-gnu).
gnu_package_suffix() { gnu_triple "$1" | tr _ -; }

# The cross gcc and C library of each foreign target, from the system's own suite.
install_cross_gcc() {
    local arch missing=()
    for arch in "${archs[@]}"; do
        [ "$arch" = "$host_arch" ] && continue
        command -v "$(gnu_triple "$arch")-gcc" >/dev/null && [ -d "/usr/$(gnu_triple "$arch")/lib" ] && continue
        missing+=("gcc-$(gnu_package_suffix "$arch")" "libc6-dev-$arch-cross")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        log "missing ${missing[*]}: install them as root"
        exit 1
    fi
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    }
}

apt_opts() {
    local a
    printf '%s\n' -o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache" \
        -o "Dir::State::status=$APT_DIR/status" -o APT::Sandbox::User=root \
        -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false \
        -o APT::Architecture="$host_arch" -o APT::Architectures::="$host_arch"
    for a in "${STD_ARCHS[@]}"; do
        [ "$a" = "$host_arch" ] || printf '%s\n' -o APT::Architectures::="$a"
    done
}

# What the compiler and cargo need to run: their Depends, followed recursively, less what
# they only start as separate programs (gcc, binutils, the C library headers), which the
# system provides.
runtime_closure() {
    local -a opts level next
    local -A seen=()
    local pkg dep
    mapfile -t opts < <(apt_opts)
    level=(rustc cargo)
    # Breadth first, one apt-cache call per level (each call reads the whole cache).
    while [ ${#level[@]} -gt 0 ]; do
        next=()
        for pkg in "${level[@]}"; do seen[$pkg]=1; echo "$pkg"; done
        # First alternative of each Depends/PreDepends; <virtual> ones are left out.
        while read -r dep; do
            case $dep in
            gcc | gcc-[0-9]* | binutils | binutils-* | clang | libc-dev | libc6-dev | c-compiler) ;;
            *) [ -n "${seen[$dep]:-}" ] || { seen[$dep]=1; next+=("$dep"); } ;;
            esac
        done < <(apt-cache "${opts[@]}" depends --no-recommends --no-suggests --no-conflicts \
            --no-breaks --no-replaces --no-enhances "${level[@]}" |
            awk '/^ *\|?(Pre)?Depends: [^<]/ { if (!alt) print $2 }
                 /^ *\|?(Pre)?Depends: / { alt = ($1 ~ /^\|/) }' | sed 's/:any$//')
        level=("${next[@]}")
    done
}

fetch_toolchain() {
    local -a opts packages
    local mirror a
    mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
        grep -oE 'https?://[^ ]*/debian/?( |$)' | sed -n '1{s/ //g;p}' || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    rm -rf "$APT_DIR" "$DIR.new"
    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs" "$DIR.new"
    : >"$APT_DIR/status"
    echo "deb ${mirror%/} $SUITE main" >"$APT_DIR/sources.list"
    mapfile -t opts < <(apt_opts)
    log "reading $SUITE's package lists"
    apt-get "${opts[@]}" update -q >"$APT_DIR/apt.log" 2>&1 || {
        log "apt-get update for $SUITE failed, see $APT_DIR/apt.log"
        exit 1
    }
    mapfile -t packages < <(runtime_closure)
    # The standard library of every target (Multi-Arch: same, so one per architecture).
    for a in "${STD_ARCHS[@]}"; do
        [ "$a" = "$host_arch" ] && packages+=(libstd-rust-dev) || packages+=("libstd-rust-dev:$a")
    done
    log "fetching ${#packages[@]} packages from $SUITE: ${packages[*]}"
    (cd "$APT_DIR/debs" && apt-get "${opts[@]}" download "${packages[@]}" >>"$APT_DIR/apt.log" 2>&1) || {
        log "apt-get download failed, see $APT_DIR/apt.log"
        exit 1
    }
    local deb
    for deb in "$APT_DIR"/debs/*.deb; do dpkg -x "$deb" "$DIR.new/root"; done
    (cd "$APT_DIR/debs" && ls) >"$DIR.new/PACKAGES"
    rm -rf "$APT_DIR/debs"
}

write_wrappers() {
    local root=$DIR/root lib tool loader
    lib=$root/usr/lib/$(gnu_triple "$host_arch")
    # Paths of the final $DIR; the loader is looked up in the tree being built.
    loader=$(find "$DIR.new/root/usr/lib/$(gnu_triple "$host_arch")" -maxdepth 1 -name 'ld-linux*.so.*' | head -1)
    [ -n "$loader" ] || { log "no dynamic loader under $lib"; exit 1; }
    loader=$lib/$(basename "$loader")
    mkdir -p "$DIR.new/bin"
    for tool in rustc cargo rustdoc; do
        cat >"$DIR.new/bin/$tool" <<EOF
#!/bin/sh
# $SUITE's $tool, on $SUITE's own loader and libraries (scripts/debian-rust.sh).
exec "$loader" --library-path "$lib" "$root/usr/bin/$tool" "\$@"
EOF
        chmod 0755 "$DIR.new/bin/$tool"
    done
}

install_cross_gcc
if [ ! -x "$DIR/bin/rustc" ] || [ ! -s "$DIR/PACKAGES" ]; then
    # Built under $DIR.new and renamed at the end: an interrupted fetch leaves no half toolchain.
    fetch_toolchain
    write_wrappers
    rm -rf "$DIR"
    mv "$DIR.new" "$DIR"
    log "$("$DIR/bin/rustc" -V) and $("$DIR/bin/cargo" -V) in $DIR"
fi
echo "$DIR/bin"
