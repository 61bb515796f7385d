#!/usr/bin/env bash
# Checks the multi-platform frontend image that scripts/package-image.sh writes, offline:
#
#   - the layout: every digest, both platforms listed, each image under 8 MB, read back by
#     scripts/oci-layout.py and by skopeo (an independent reader);
#   - each image's /bin/mstage: `file` says static, of the platform's architecture;
#   - the labels carry what `mstage --version` prints (version, revision);
#   - the arm64 binary under qemu-user-static (Debian's) against the amd64 one: `--version`,
#     `mstage llb` byte for byte on every Dockerfile of examples/ and of
#     ../shared/conformance/real-world (the Definition, or the same refusal), the JSON dump
#     for linux/amd64,linux/arm64, and `mstage lint --format json`.
#
#   scripts/check-image.sh [--no-build] [LAYOUT.tar]
#
# Default LAYOUT: target/package/mstage-oci.tar, built first by package-image.sh
# (--no-build: check the one already there). Prints one summary line per check on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1 layout=target/package/mstage-oci.tar
while [ $# -gt 0 ]; do
    case $1 in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "check-image: unknown option $1" >&2; exit 2 ;;
    *) layout=$1 ;;
    esac
    shift
done
log() { printf 'check-image: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

need=()
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v skopeo >/dev/null || need+=(skopeo)
command -v file >/dev/null || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
    }
fi

if [ "$build" = 1 ]; then
    bash scripts/package-image.sh --platforms linux/amd64,linux/arm64 --oci "$layout"
fi

work=$(mktemp -d /tmp/mstage-check-image.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The layout, as our writer reads it back (digests, sizes, one layer with bin/mstage).
python3 scripts/oci-layout.py check --extract "$work/bin" "$layout" >"$work/layout.txt"
if ! grep -q '^linux/amd64 ' "$work/layout.txt" || ! grep -q '^linux/arm64 ' "$work/layout.txt"; then
    fail "the index does not list linux/amd64 and linux/arm64: $(cat "$work/layout.txt")"
fi
amd64=$work/bin/linux-amd64/mstage arm64=$work/bin/linux-arm64/mstage
file -L "$amd64" | grep -E 'static(-pie)? linked|statically linked' | grep -q x86-64 ||
    fail "amd64: $(file -L "$amd64")"
file -L "$arm64" | grep -E 'static(-pie)? linked|statically linked' | grep -q 'ARM aarch64' ||
    fail "arm64: $(file -L "$arm64")"
while read -r platform layer _; do
    case $platform in linux/*) ;; *) continue ;; esac
    [ "${layer#layer=}" -lt 8000000 ] || fail "$platform: $layer bytes, not under 8 MB"
done <"$work/layout.txt"

version_amd64=$("$amd64" --version)
version_arm64=$(qemu-aarch64-static "$arm64" --version)
[ "$version_amd64" = "$version_arm64" ] || fail "--version: amd64 '$version_amd64', arm64 '$version_arm64'"
version=$(sed -E 's/^mstage ([^ ]+) .*/\1/' <<<"$version_amd64")
revision=$(sed -E 's/.*\(revision ([^)]+)\).*/\1/' <<<"$version_amd64")

# skopeo: each platform's config, its labels against --version.
for arch in amd64 arm64; do
    skopeo --override-os linux --override-arch "$arch" inspect --config "oci-archive:$layout:$version" >"$work/config-$arch.json"
    python3 - "$work/config-$arch.json" "$arch" "$version" "$revision" <<'EOF' || fail "skopeo: the $arch image's config"
import json, sys
path, arch, version, revision = sys.argv[1:]
config = json.load(open(path))
labels = config["config"]["Labels"]
expect = {
    "org.opencontainers.image.version": version,
    "org.opencontainers.image.revision": revision,
    "moby.buildkit.frontend.network.none": "true",
}
bad = {k: labels.get(k) for k, v in expect.items() if labels.get(k) != v}
for k in ("org.opencontainers.image.source", "org.opencontainers.image.licenses", "moby.buildkit.frontend.caps"):
    if not labels.get(k):
        bad[k] = None
if config["architecture"] != arch or config["config"].get("User") != "65532:65532" or bad:
    sys.exit(f"{arch}: architecture {config['architecture']}, user {config['config'].get('User')}, labels {bad}")
EOF
done
echo "image: linux/amd64 and linux/arm64, static, under 8 MB, labels $version / $revision ($version_amd64)"

# One comparison: the same command on both binaries, stdout, stderr and exit status equal.
same() {
    local name=$1
    shift
    local a=$work/out/$name.amd64 b=$work/out/$name.arm64 ea=0 eb=0
    "$amd64" "$@" >"$a.out" 2>"$a.err" || ea=$?
    qemu-aarch64-static "$arm64" "$@" >"$b.out" 2>"$b.err" || eb=$?
    echo "$ea" >"$a.status"
    [ "$ea" = "$eb" ] && cmp -s "$a.out" "$b.out" && cmp -s "$a.err" "$b.err"
}
mkdir -p "$work/out"
inputs=()
for f in examples/*/Dockerfile*; do
    case $f in *.dockerignore) continue ;; esac
    inputs+=("$f")
done
n_examples=${#inputs[@]}
for d in ../shared/conformance/real-world/*/; do inputs+=("${d}Dockerfile"); done
n_real=$((${#inputs[@]} - n_examples))
[ "$n_real" -gt 0 ] || fail "no Dockerfiles under ../shared/conformance/real-world"

defs=0 defs_same=0 refused=0 refused_same=0 json_same=0 lint_same=0 diffs=()
for i in "${!inputs[@]}"; do
    f=${inputs[$i]} ctx=$(dirname "${inputs[$i]}")
    if same "llb-$i" llb -f "$f" "$ctx"; then ok=1; else ok=0; fi
    if [ "$(cat "$work/out/llb-$i.amd64.status")" = 0 ]; then
        defs=$((defs + 1)) defs_same=$((defs_same + ok))
    else
        refused=$((refused + 1)) refused_same=$((refused_same + ok))
    fi
    [ "$ok" = 1 ] || diffs+=("llb $f")
    if same "json-$i" llb --format json --platform linux/amd64,linux/arm64 -f "$f" "$ctx"; then
        json_same=$((json_same + 1))
    else
        diffs+=("llb --format json $f")
    fi
    if same "lint-$i" lint --format json -f "$f" "$ctx"; then
        lint_same=$((lint_same + 1))
    else
        diffs+=("lint $f")
    fi
done
total=${#inputs[@]}
echo "arm64 vs amd64: $defs_same/$defs identical Definitions ($n_examples examples, $n_real real-world Dockerfiles; $refused_same/$refused identical refusals)"
echo "arm64 vs amd64: $json_same/$total identical JSON dumps for linux/amd64,linux/arm64"
echo "arm64 vs amd64: $lint_same/$total identical lint findings (--format json)"
if [ ${#diffs[@]} -gt 0 ]; then
    log "differences: ${diffs[*]}"
    exit 1
fi
