#!/usr/bin/env bash
# Local stand-ins for the official base images the examples/ Dockerfiles default to. Nothing
# can be pulled from Docker Hub here, so each stand-in is debian:bookworm-slim (the
# debootstrap stand-in of scripts/make-debian-image.sh) plus Debian's packages, tagged with
# the official name; dockerd prefers a local image, so `FROM node:18-bookworm-slim` uses it.
#
#   bash scripts/make-example-standins.sh [--force [NAME...]] [--list]
#
# Idempotent: an image that already exists under its name (a stand-in from an earlier run,
# or the real image on a machine that can pull) is kept; --force remakes the stand-ins
# (only the NAMEs given, if any). --list prints the official names and exits.
# STANDINS_NO_CACHE=1 builds them with --no-cache (to time a build from a clean state).
#
# On another engine than Debian's 20.10 (DOCKER_HOST set, e.g. the current engine of
# `E2E_ENGINE=current scripts/e2e-env.sh`), the images that engine lacks are first copied
# from the 20.10 engine when it has them (`docker save | docker load`: the same layers,
# seconds instead of minutes of debootstrap and apt); only the rest is made here.
# STANDINS_COPY_FROM=unix:///path/to/docker.sock names the engine to copy from (default: the
# 20.10 engine's /var/run/docker.sock; empty: never copy).
#
# How they differ from the official images (the tool versions are Debian bookworm's, which
# is why the examples default to these tags):
#   node:18-bookworm-slim        Debian nodejs 18.19 + npm 9.2 (official: node 18 built
#                                from source, npm bundled), user node 1000:1000 as official
#   nginx:stable-bookworm        Debian nginx 1.22 laid out like the official image
#                                (conf.d/default.conf, /usr/share/nginx/html, logs to
#                                stdout/stderr, STOPSIGNAL SIGQUIT, daemon off)
#   golang:1.19-bookworm         Debian golang-go 1.19 (+ ca-certificates), GOPATH=/go;
#                                no gcc/git (the official full image has them)
#   python:3.11-bookworm         Debian python3 3.11 + venv + pip; no compilers
#                                (the official full image has the buildpack-deps toolchain)
#   python:3.11-slim-bookworm    Debian python3 3.11 only
#   maven:3.8-eclipse-temurin-17 Debian maven 3.8.7 + openjdk-17-jdk-headless + the packaged
#                                Maven plugins; settings.xml: offline, local repository
#                                /usr/share/maven-repo (Maven Central is unreachable here)
#   eclipse-temurin:17-jre       Debian openjdk-17-jre-headless (official: Temurin on Ubuntu)
#   busybox:1.35                 scripts/make-busybox-image.sh (Debian busybox-static 1.35)
# Every stand-in that downloads at build time (npm, pip) also trusts the CA certificates
# in this machine's /usr/local/share/ca-certificates (its egress proxy signs TLS), with
# NODE_EXTRA_CA_CERTS / PIP_CERT pointing at the system bundle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1
force=0 only=()
case "${1:-}" in
--force) force=1; shift; only=("$@") ;;
--list)
    sed -n '/^# How they differ/,/^# Every stand-in/p' "$0" | sed -n 's/^#   \([^ ][^ ]*\) .*/\1/p'
    exit 0
    ;;
"") ;;
*) echo "usage: $0 [--force [NAME...]] [--list]" >&2; exit 2 ;;
esac

log() { printf 'make-example-standins: %s\n' "$*" >&2; }
have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# Copy what the 20.10 engine has (one `docker save` of them all: shared layers once).
copy_from=${STANDINS_COPY_FROM-unix:///var/run/docker.sock}
if [ "$force" = 0 ] && [ -n "$copy_from" ] && [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$copy_from" ]; then
    old_docker() { env -u DOCKER_CONFIG DOCKER_HOST="$copy_from" /usr/bin/docker "$@"; }
    copy=()
    for name in debian:bookworm-slim $(bash "$0" --list); do
        if ! have "$name" && old_docker image inspect "$name" >/dev/null 2>&1; then
            copy+=("$name")
        fi
    done
    if [ ${#copy[@]} -gt 0 ]; then
        t0=$(date +%s)
        if old_docker save "${copy[@]}" | "$DOCKER" load -q >/dev/null; then
            log "copied from $copy_from in $(($(date +%s) - t0)) s: ${copy[*]}"
        else
            log "copying from $copy_from failed; making what is missing"
        fi
    fi
fi

bash "$here/make-debian-image.sh"
BUSYBOX_IMAGE=busybox:1.35 bash "$here/make-busybox-image.sh"

work=$(mktemp -d /tmp/mstage-standins.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ca"
for c in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$c" ] && cp "$c" "$work/ca/"
done

# build NAME: Dockerfile on stdin, built by the engine's built-in frontend (no syntax line).
build() {
    local name=$1 t0 remake=$force
    if [ "$force" = 1 ] && [ ${#only[@]} -gt 0 ]; then
        remake=0
        for n in "${only[@]}"; do [ "$n" = "$name" ] && remake=1; done
    fi
    if [ "$remake" = 0 ] && have "$name"; then
        log "$name exists"
        cat >/dev/null
        return 0
    fi
    cat >"$work/Dockerfile"
    t0=$(date +%s)
    local nocache=()
    [ "${STANDINS_NO_CACHE:-0}" = 1 ] && nocache=(--no-cache)
    if ! "$DOCKER" build -q "${nocache[@]}" -t "$name" -f "$work/Dockerfile" "$work" >"$work/build.log" 2>&1; then
        log "building $name failed:"
        tail -30 "$work/build.log" >&2
        return 1
    fi
    log "$name made in $(($(date +%s) - t0)) s ($("$DOCKER" image inspect -f '{{.Size}}' "$name" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# dpkg without fsync (unsafe-io) for the stand-ins' installs only: much faster on overlayfs.
APT='echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/standin-unsafe-io && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends'
CLEAN='rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* /etc/dpkg/dpkg.cfg.d/standin-unsafe-io'
# The proxy CA into the system bundle (only when the machine has one).
CA='COPY ca/ /usr/local/share/ca-certificates/
RUN if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then update-ca-certificates >/dev/null; fi'

build node:18-bookworm-slim <<EOF
FROM debian:bookworm-slim
RUN $APT ca-certificates nodejs npm && $CLEAN
$CA
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF

build nginx:stable-bookworm <<EOF
FROM debian:bookworm-slim
RUN $APT ca-certificates nginx && $CLEAN
$CA
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN rm -f /etc/nginx/sites-enabled/default \
 && printf '%s\n' 'server {' '    listen 80;' '    server_name localhost;' \
      '    location / {' '        root /usr/share/nginx/html;' '        index index.html index.htm;' '    }' \\
      '    error_page 500 502 503 504 /50x.html;' '    location = /50x.html {' '        root /usr/share/nginx/html;' '    }' '}' \\
      > /etc/nginx/conf.d/default.conf \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF

build golang:1.19-bookworm <<EOF
FROM debian:bookworm-slim
RUN $APT ca-certificates golang-go && $CLEAN
$CA
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go
WORKDIR /go
EOF

build python:3.11-bookworm <<EOF
FROM debian:bookworm-slim
RUN $APT ca-certificates python3 python3-venv python3-pip python-is-python3 && $CLEAN
$CA
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
EOF

build python:3.11-slim-bookworm <<EOF
FROM debian:bookworm-slim
RUN $APT ca-certificates python3 python-is-python3 && $CLEAN
$CA
CMD ["python3"]
EOF

build maven:3.8-eclipse-temurin-17 <<EOF
FROM debian:bookworm-slim
RUN mkdir -p /usr/share/man/man1 && $APT ca-certificates openjdk-17-jdk-headless maven \
    libmaven-compiler-plugin-java libmaven-resources-plugin-java libmaven-jar-plugin-java \
    libsurefire-java && $CLEAN
RUN printf '%s\n' '<settings>' '  <localRepository>/usr/share/maven-repo</localRepository>' \
      '  <offline>true</offline>' '</settings>' > /usr/share/maven/conf/settings.xml
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 MAVEN_HOME=/usr/share/maven
CMD ["mvn"]
EOF

build eclipse-temurin:17-jre <<EOF
FROM debian:bookworm-slim
RUN mkdir -p /usr/share/man/man1 && $APT openjdk-17-jre-headless && $CLEAN
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
EOF
log "done"
