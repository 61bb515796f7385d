#!/usr/bin/env bash
# Builds the mstage frontend image for one or more platforms, offline and without an engine:
# a static binary per platform, cross-compiled on this machine with Debian's Rust toolchain
# (scripts/debian-rust.sh), then packed as an OCI image layout (scripts/oci-layout.py).
#
#   scripts/package-image.sh [--platforms linux/amd64,linux/arm64] [--oci DEST.tar]
#                            [--load] [--tag TAG] [--source URL] [--no-build]
#
# --platforms  default linux/amd64,linux/arm64
# --oci        write the OCI layout (index.json -> an image index listing the platforms);
#              default target/package/mstage-oci.tar
# --tag        the image's name in the layout (io.containerd.image.name) and for --load
# --load       also load the host's platform into the local engine ($DOCKER, default
#              /usr/bin/docker) as TAG (default mstage:dev), through skopeo's docker-archive
#              so that any engine version takes it; the loaded image is the layout's image
# --source     org.opencontainers.image.source (default: the https form of git's origin)
# --no-build   package the binaries already under target/package
#
# Each image: /bin/mstage only, user 65532:65532, the labels BuildKit reads from a frontend
# image, and org.opencontainers.image.{source,version,revision,licenses,created}. Version and
# revision are what `mstage --version` prints. Both platforms are built by the same compiler
# (Debian's rustc, not the host's rustup toolchain). SOURCE_DATE_EPOCH (default: the commit's
# time) dates the image, so the same binaries give the same digests.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-/usr/bin/docker}
platforms=linux/amd64,linux/arm64 oci='' load=0 tag=mstage:dev source='' build=1

while [ $# -gt 0 ]; do
    case $1 in
    --platforms) platforms=$2; shift ;;
    --oci) oci=$2; shift ;;
    --load) load=1 ;;
    --tag) tag=$2; shift ;;
    --source) source=$2; shift ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "package-image: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
log() { printf 'package-image: %s\n' "$*" >&2; }
t0=$(date +%s)
export CARGO_TARGET_DIR=${PACKAGE_TARGET_DIR:-$PWD/target/package}
oci=${oci:-$CARGO_TARGET_DIR/mstage-oci.tar}

# Per platform: Debian architecture, Rust target, what `file` says of a binary for it.
declare -A deb_arch=([linux/amd64]=amd64 [linux/arm64]=arm64)
declare -A triple=([linux/amd64]=x86_64-unknown-linux-gnu [linux/arm64]=aarch64-unknown-linux-gnu)
declare -A file_arch=([linux/amd64]=x86-64 [linux/arm64]='ARM aarch64')
IFS=, read -r -a plats <<<"$platforms"
for p in "${plats[@]}"; do
    [ -n "${triple[$p]:-}" ] || { log "unsupported platform $p (linux/amd64, linux/arm64)"; exit 2; }
done
binary_of() { echo "$CARGO_TARGET_DIR/${triple[$1]}/release/mstage"; }
host_platform=linux/$(dpkg --print-architecture)

if ! command -v file >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q file >/dev/null
fi

if [ "$build" = 1 ]; then
    archs=()
    for p in "${plats[@]}"; do archs+=("${deb_arch[$p]}"); done
    tc=$(bash scripts/debian-rust.sh "${archs[@]}")
    targets=()
    for p in "${plats[@]}"; do
        t=${triple[$p]} T=$(echo "${triple[$p]}" | tr 'a-z-' 'A-Z_')
        targets+=(--target "$t")
        # glibc with crt-static gives a static binary; per-target flags stay off build scripts.
        export "CARGO_TARGET_${T}_RUSTFLAGS=-C target-feature=+crt-static"
        if [ "$p" != "$host_platform" ]; then
            gnu=${t/-unknown-/-}
            export "CARGO_TARGET_${T}_LINKER=$gnu-gcc" "CC_${t//-/_}=$gnu-gcc" "AR_${t//-/_}=$gnu-ar"
        fi
    done
    log "building ${plats[*]} with $("$tc/rustc" -V)"
    tb=$(date +%s)
    # Without the CLI-only `registry` feature: no OpenSSL in the frontend.
    RUSTC=$tc/rustc "$tc/cargo" build --release --locked "${targets[@]}" -p mstage --no-default-features
    log "built in $(($(date +%s) - tb)) s"
fi

# Every binary static and of its platform's architecture: the image has no libc.
for p in "${plats[@]}"; do
    bin=$(binary_of "$p")
    [ -x "$bin" ] || { log "no binary at $bin (run without --no-build)"; exit 1; }
    desc=$(file -L "$bin")
    if ! grep -Eq 'statically linked|static-pie linked' <<<"$desc" || ! grep -q "${file_arch[$p]}" <<<"$desc"; then
        log "$bin is not a static ${file_arch[$p]} binary: $desc"
        exit 1
    fi
done

# Version and revision as the binary reports them (the host's, else under qemu).
run_binary() {
    local p=$1
    shift
    if [ "$p" = "$host_platform" ]; then
        "$(binary_of "$p")" "$@"
    else
        "qemu-$(echo "${triple[$p]}" | cut -d- -f1)-static" "$(binary_of "$p")" "$@"
    fi
}
version_line=$(run_binary "${plats[0]}" --version)
version=$(sed -E 's/^mstage ([^ ]+) .*/\1/' <<<"$version_line")
revision=$(sed -E 's/.*\(revision ([^)]+)\).*/\1/' <<<"$version_line")
[[ $version_line == "mstage $version (revision $revision)" ]] ||
    { log "unexpected --version output: $version_line"; exit 1; }
if [ -z "$source" ]; then
    source=$(git remote get-url origin 2>/dev/null | sed -E 's#^git@([^:]+):#https://\1/#; s#\.git$##' || true)
    source=${source:-unknown}
fi
created=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
license=$(sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -1)

# shellcheck disable=SC2054 # the commas are in a label's value
args=(write --out "$oci" --ref "$version" --name "$tag" --created "$created"
    --label moby.buildkit.frontend.network.none=true
    --label moby.buildkit.frontend.caps=moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts
    --label "org.opencontainers.image.title=mstage"
    --label "org.opencontainers.image.description=A BuildKit frontend that compiles Dockerfiles to LLB"
    --label "org.opencontainers.image.source=$source"
    --label "org.opencontainers.image.version=$version"
    --label "org.opencontainers.image.revision=$revision"
    --label "org.opencontainers.image.licenses=$license"
    --label "org.opencontainers.image.created=$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)")
for p in "${plats[@]}"; do args+=(--binary "$p=$(binary_of "$p")"); done
mkdir -p "$(dirname "$oci")"
digest=$(python3 scripts/oci-layout.py "${args[@]}")

# Read back: every digest, and each image under 8 MB unpacked.
while read -r p layer rest; do
    case $p in linux/*) ;; *) continue ;; esac
    size=${layer#layer=}
    log "$p: $(awk -v s="$size" 'BEGIN { printf "%.2f MB", s / 1e6 }') unpacked, ${rest%% *}"
    [ "$size" -lt 8000000 ] || { log "$p: the image is not under 8 MB"; exit 1; }
done < <(python3 scripts/oci-layout.py check "$oci")
log "$oci: $digest ($version, revision $revision, $(du -h "$oci" | cut -f1)) in $(($(date +%s) - t0)) s"

if [ "$load" = 1 ]; then
    [[ ",$platforms," == *",$host_platform,"* ]] || { log "--load needs $host_platform among --platforms"; exit 2; }
    command -v skopeo >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q skopeo >/dev/null
    archive=$(mktemp /tmp/mstage-docker-archive.XXXXXX)
    trap 'rm -f "$archive"' EXIT
    rm -f "$archive"
    skopeo --override-os linux --override-arch "${deb_arch[$host_platform]}" copy -q \
        "oci-archive:$oci:$version" "docker-archive:$archive:$tag"
    "$DOCKER" load -q -i "$archive" >&2
    log "loaded $tag ($host_platform) into the engine: $("$DOCKER" image inspect -f '{{.Id}}' "$tag")"
fi
