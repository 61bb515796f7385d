#!/usr/bin/env bash
# End-to-end environment: a Docker engine with BuildKit, an optional local registry, and the
# local base images the tests build on (nothing can be pulled from a public registry here).
#
#   scripts/e2e-env.sh up              engine (reuses one answering on its socket)
#   scripts/e2e-env.sh images          local base images (busybox:latest stand-in)
#   scripts/e2e-env.sh registry-up     Debian docker-registry on 127.0.0.1:5000
#   scripts/e2e-env.sh debian-image    optional debian:bookworm-slim stand-in (debootstrap, slow)
#   scripts/e2e-env.sh down            ends what `up`/`registry-up` started, by recorded PID
#   scripts/e2e-env.sh status
#
# Two engines, chosen with E2E_ENGINE:
#   old      (default) Debian bookworm's dockerd 20.10 (BuildKit v0.8) on /var/run/docker.sock,
#            client /usr/bin/docker with DOCKER_BUILDKIT=1; state under /tmp/mstage-e2e
#   current  Debian forky's dockerd 28.5 with docker-cli 28.5 and buildx 0.29, unpacked with
#            `dpkg -x` into .engines/docker-28 of this repo (bookworm's containerd and runc,
#            forky's tini); its own socket, data root, exec root, pid file, bridge (mstage28)
#            and containerd image store; state under /tmp/mstage-e2e-28. Clients use
#            DOCKER_CONFIG=.engines/docker-28/config, which holds buildx as a CLI plugin.
# Both can run at once. After sourcing, DOCKER, DOCKER_HOST and (current) DOCKER_CONFIG are
# exported for that engine, E2E_ENGINE_LABEL names it (`docker 28.5, buildx 0.29`).
#
# Or source it and call e2e_up / e2e_images / e2e_registry_up / e2e_down; callers set
# `trap e2e_down EXIT` so a failed run leaves nothing behind: that stops only what the
# calling shell started. `down` stops what any earlier `up`/`registry-up` recorded. Only
# processes recorded in PID files under $E2E_STATE are ever stopped, never by name.

_E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/apt.sh
source "$_E2E_REPO/scripts/lib/apt.sh"
E2E_ENGINE=${E2E_ENGINE:-old}
case $E2E_ENGINE in
old)
    E2E_STATE=${E2E_STATE:-/tmp/mstage-e2e}
    E2E_SOCK=${E2E_SOCK:-/var/run/docker.sock}
    # Debian's 20.10 client; the `docker` earlier on PATH is a newer client without buildx.
    DOCKER=${DOCKER:-/usr/bin/docker}
    ;;
current)
    E2E_CURRENT_DIR=${E2E_CURRENT_DIR:-$_E2E_REPO/.engines/docker-28}
    E2E_STATE=${E2E_STATE:-/tmp/mstage-e2e-28}
    E2E_SOCK=${E2E_SOCK:-$E2E_STATE/docker.sock}
    DOCKER=${DOCKER:-$E2E_CURRENT_DIR/bin/docker}
    DOCKER_CONFIG=$E2E_CURRENT_DIR/config
    export DOCKER_CONFIG
    ;;
*)
    echo "e2e-env: E2E_ENGINE must be old or current, not $E2E_ENGINE" >&2
    return 2 2>/dev/null || exit 2
    ;;
esac
E2E_REGISTRY_ADDR=${E2E_REGISTRY_ADDR:-127.0.0.1:5000}
export E2E_ENGINE E2E_STATE DOCKER DOCKER_BUILDKIT=1 DOCKER_HOST="unix://$E2E_SOCK"

_e2e_log() { printf 'e2e-env: %s\n' "$*" >&2; }

_e2e_engine_answers() {
    [ -S "$E2E_SOCK" ] && [ -x "$DOCKER" ] && timeout 10 "$DOCKER" version >/dev/null 2>&1
}

# Installs the Debian packages we need when something is missing (root on Debian only).
# Both engines use bookworm's containerd and runc.
_e2e_install() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v containerd >/dev/null || missing+=(containerd)
    command -v runc >/dev/null || missing+=(runc)
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    command -v file >/dev/null || missing+=(file)
    command -v iptables >/dev/null || missing+=(iptables)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
            _e2e_log "missing ${missing[*]} and not root on Debian: install them or start a Docker engine"
            return 1
        fi
        _e2e_log "installing ${missing[*]}"
        # docker.io would pull these in anyway; name them so a partial install is completed.
        APT_LOG=$E2E_STATE/apt.log apt_install docker.io containerd runc docker-registry busybox-static file iptables || {
            _e2e_log "apt-get install failed, see $E2E_STATE/apt.log"
            return 1
        }
    fi
    [ "$E2E_ENGINE" = current ] && _e2e_install_current
    return 0
}

# The current engine's packages from Debian's next release, unpacked (never installed) into
# $E2E_CURRENT_DIR: dockerd, docker-proxy, the docker CLI, buildx as a CLI plugin, and
# tini as docker-init. apt reads that suite through its own lists under $E2E_STATE.
E2E_CURRENT_SUITE=${E2E_CURRENT_SUITE:-forky}
E2E_CURRENT_PACKAGES="docker.io docker-cli docker-buildx tini"
_e2e_install_current() {
    [ -x "$E2E_CURRENT_DIR/bin/dockerd" ] && [ -x "$DOCKER_CONFIG/cli-plugins/docker-buildx" ] && return 0
    local apt="$E2E_STATE/apt-$E2E_CURRENT_SUITE" mirror
    # The mirror bookworm's packages come from (URIs: or deb lines, not comments).
    mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
        grep -oE 'https?://[^ ]*/debian/?( |$)' | head -1 | tr -d ' ')
    mirror=${mirror:-http://deb.debian.org/debian}
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$apt/root"
    echo "deb ${mirror%/} $E2E_CURRENT_SUITE main" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
    _e2e_log "fetching $E2E_CURRENT_PACKAGES from $E2E_CURRENT_SUITE into $E2E_CURRENT_DIR"
    apt-get "${opts[@]}" update -q >>"$E2E_STATE/apt.log" 2>&1 &&
        (cd "$apt/debs" && apt-get "${opts[@]}" download $E2E_CURRENT_PACKAGES >>"$E2E_STATE/apt.log" 2>&1) || {
        _e2e_log "could not fetch $E2E_CURRENT_PACKAGES from $E2E_CURRENT_SUITE, see $E2E_STATE/apt.log"
        return 1
    }
    local deb
    for deb in "$apt"/debs/*.deb; do dpkg -x "$deb" "$apt/root"; done
    mkdir -p "$E2E_CURRENT_DIR/bin" "$DOCKER_CONFIG/cli-plugins"
    install -m 0755 "$apt/root/usr/sbin/dockerd" "$apt/root/usr/sbin/docker-proxy" \
        "$apt/root/usr/bin/docker" "$E2E_CURRENT_DIR/bin/"
    install -m 0755 "$apt/root/usr/bin/tini" "$E2E_CURRENT_DIR/bin/docker-init"
    install -m 0755 "$apt/root/usr/libexec/docker/cli-plugins/docker-buildx" "$DOCKER_CONFIG/cli-plugins/"
    (cd "$apt/debs" && ls) >"$E2E_CURRENT_DIR/PACKAGES"
    rm -rf "$apt/root" "$apt/debs"
}

_e2e_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The current engine's bridge: its own name and subnet, so the two engines never share one.
# The engine itself leaves iptables alone (both engines would rewrite the same DOCKER
# chains); NAT for build containers is one MASQUERADE rule of ours, removed on `down`.
# A further engine of this kind (scripts/fault.sh) sets its own E2E_STATE, bridge and subnet.
E2E_CURRENT_BRIDGE=${E2E_CURRENT_BRIDGE:-mstage28}
E2E_CURRENT_SUBNET=${E2E_CURRENT_SUBNET:-172.28.99.0/24}
_e2e_current_net_up() {
    if ! ip link show "$E2E_CURRENT_BRIDGE" >/dev/null 2>&1; then
        ip link add "$E2E_CURRENT_BRIDGE" type bridge || return 1
        ip addr add "${E2E_CURRENT_SUBNET%.0/24}.1/24" dev "$E2E_CURRENT_BRIDGE" || return 1
    fi
    ip link set "$E2E_CURRENT_BRIDGE" up
    sysctl -qw net.ipv4.ip_forward=1
    local rule=(POSTROUTING -s "$E2E_CURRENT_SUBNET" ! -o "$E2E_CURRENT_BRIDGE" -j MASQUERADE)
    iptables -t nat -C "${rule[@]}" 2>/dev/null || iptables -t nat -A "${rule[@]}"
    local fwd
    for fwd in "-i $E2E_CURRENT_BRIDGE" "-o $E2E_CURRENT_BRIDGE"; do
        # shellcheck disable=SC2086
        iptables -C FORWARD $fwd -j ACCEPT 2>/dev/null || iptables -I FORWARD $fwd -j ACCEPT
    done
}

_e2e_current_net_down() {
    iptables -t nat -D POSTROUTING -s "$E2E_CURRENT_SUBNET" ! -o "$E2E_CURRENT_BRIDGE" -j MASQUERADE 2>/dev/null
    iptables -D FORWARD -i "$E2E_CURRENT_BRIDGE" -j ACCEPT 2>/dev/null
    iptables -D FORWARD -o "$E2E_CURRENT_BRIDGE" -j ACCEPT 2>/dev/null
    ip link del "$E2E_CURRENT_BRIDGE" 2>/dev/null
    return 0
}

# Starts this engine's dockerd in the background and records its PID in $2.
# setsid: its own session, so the caller's terminal signals don't reach it.
_e2e_start_dockerd() {
    local log=$1 pidfile=$2
    case $E2E_ENGINE in
    old)
        setsid dockerd --host "unix://$E2E_SOCK" >>"$log" 2>&1 </dev/null &
        ;;
    current)
        _e2e_current_net_up || { _e2e_log "could not set up bridge $E2E_CURRENT_BRIDGE"; return 1; }
        # The containerd image store: multi-platform builds and OCI exports need it.
        echo '{"features":{"containerd-snapshotter":true}}' >"$E2E_STATE/daemon.json"
        # PATH: its own docker-proxy and docker-init (tini) before bookworm's.
        PATH="$E2E_CURRENT_DIR/bin:$PATH" setsid "$E2E_CURRENT_DIR/bin/dockerd" \
            --config-file "$E2E_STATE/daemon.json" --host "unix://$E2E_SOCK" \
            --data-root "$E2E_STATE/data" --exec-root "$E2E_STATE/exec" \
            --pidfile "$E2E_STATE/dockerd-own.pid" --bridge "$E2E_CURRENT_BRIDGE" \
            --iptables=false --ip6tables=false >>"$log" 2>&1 </dev/null &
        ;;
    esac
    echo $! >"$pidfile"
}

# dockerd 20.10 was once seen to lose its docker0 bridge with both engines up (RUN then
# fails with "could not find bridge docker0"); a restart of the dockerd we started
# recreates it.
_e2e_check_docker0() {
    [ "$E2E_ENGINE" = old ] || return 0
    ip link show docker0 >/dev/null 2>&1 && return 0
    local pid
    pid=$(cat "$E2E_STATE/dockerd.pid" 2>/dev/null)
    if ! _e2e_pid_alive "$pid"; then
        _e2e_log "docker0 is missing and the engine on $E2E_SOCK is not ours to restart"
        return 1
    fi
    _e2e_log "docker0 is missing: restarting dockerd $pid"
    _e2e_stop_pid dockerd "$E2E_STATE/dockerd.pid"
    e2e_up
}

e2e_up() {
    mkdir -p "$E2E_STATE"
    if _e2e_engine_answers; then
        _e2e_log "using the Docker engine on $E2E_SOCK"
        [ "$E2E_ENGINE" = current ] && _e2e_install_current
        _e2e_check_docker0
        return
    fi
    _e2e_install || return 1
    local pidfile="$E2E_STATE/dockerd.pid" log="$E2E_STATE/dockerd.log"
    local started
    # Two attempts: a dockerd recorded earlier may be dying (e.g. after a panic) when we come.
    for _ in 1 2; do
        started=0
        if _e2e_pid_alive "$(cat "$pidfile" 2>/dev/null)"; then
            _e2e_log "dockerd $(cat "$pidfile") is running but does not answer yet"
        else
            _e2e_log "starting dockerd (log $log)"
            _e2e_start_dockerd "$log" "$pidfile" || return 1
            started=1
            _E2E_STARTED_DOCKERD=1
        fi
        for _ in $(seq 1 120); do
            if _e2e_engine_answers; then
                _e2e_log "dockerd $(cat "$pidfile") answers on $E2E_SOCK"
                return 0
            fi
            _e2e_pid_alive "$(cat "$pidfile")" || break
            sleep 0.5
        done
        if _e2e_pid_alive "$(cat "$pidfile")"; then
            _e2e_log "dockerd did not answer within 60 s; see $log"
            return 1
        fi
        rm -f "$pidfile"
        if [ "$started" = 1 ]; then
            _e2e_log "dockerd exited; last lines of $log:"
            tail -20 "$log" >&2
            return 1
        fi
    done
    return 1
}

# Ends a process we recorded, TERM first, KILL after a grace period.
_e2e_stop_pid() {
    local name=$1 pidfile=$2 pid
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    if _e2e_pid_alive "$pid"; then
        _e2e_log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            _e2e_pid_alive "$pid" || break
            sleep 0.5
        done
        if _e2e_pid_alive "$pid"; then
            _e2e_log "$name (pid $pid) still running after 30 s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile"
}

e2e_registry_up() {
    mkdir -p "$E2E_STATE/registry-data"
    local pidfile="$E2E_STATE/registry.pid" conf="$E2E_STATE/registry.yml"
    if _e2e_pid_alive "$(cat "$pidfile" 2>/dev/null)"; then
        return 0
    fi
    if curl -fsS "http://$E2E_REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
        _e2e_log "a registry already answers on $E2E_REGISTRY_ADDR; using it"
        return 0
    fi
    _e2e_install || return 1
    # Our own config: no auth, loopback only, data under the state dir.
    cat >"$conf" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $E2E_STATE/registry-data
  delete:
    enabled: true
http:
  addr: $E2E_REGISTRY_ADDR
EOF
    setsid docker-registry serve "$conf" >"$E2E_STATE/registry.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    _E2E_STARTED_REGISTRY=1
    for _ in $(seq 1 40); do
        if curl -fsS "http://$E2E_REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
            _e2e_log "registry $(cat "$pidfile") answers on $E2E_REGISTRY_ADDR"
            return 0
        fi
        sleep 0.25
    done
    _e2e_log "registry did not answer; see $E2E_STATE/registry.log"
    return 1
}

e2e_registry_down() { _e2e_stop_pid docker-registry "$E2E_STATE/registry.pid"; }

# For `trap e2e_down EXIT` in callers: stops what this shell started (an engine that was
# already running stays, whoever started it). E2E_KEEP=1 keeps our engine too. The
# recorded PID is read at exit, so a dockerd restarted meanwhile (by `up` from a child
# process, after a crash) is the one stopped.
e2e_down() {
    [ "${_E2E_STARTED_REGISTRY:-0}" = 1 ] && e2e_registry_down
    [ "${_E2E_STARTED_DOCKERD:-0}" = 1 ] || return 0
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        _e2e_log "keeping dockerd $(cat "$E2E_STATE/dockerd.pid" 2>/dev/null) (E2E_KEEP=1)"
        return 0
    fi
    _e2e_stop_dockerd
}

_e2e_stop_dockerd() {
    _e2e_stop_pid dockerd "$E2E_STATE/dockerd.pid"
    [ "$E2E_ENGINE" = current ] && _e2e_current_net_down
    return 0
}

# `e2e-env.sh down`: stops whatever e2e-env recorded, from any earlier invocation.
e2e_down_recorded() {
    e2e_registry_down
    _e2e_stop_dockerd
}

# busybox:latest stand-in, see tests/e2e/README.md for how it differs from the official image.
e2e_images() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    bash "$here/make-busybox-image.sh"
}

e2e_debian_image() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    bash "$here/make-debian-image.sh"
}

# `docker 28.5, buildx 0.29` / `docker 20.10`: the engine's version, and buildx's where the
# client has it, for the summary lines.
e2e_engine_label() {
    local server buildx
    server=$("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null | grep -oE '^[0-9]+\.[0-9]+')
    buildx=$("$DOCKER" buildx version 2>/dev/null | grep -oE ' v?[0-9]+\.[0-9]+' | head -1 | tr -d ' v' || true)
    printf 'docker %s%s\n' "${server:-?}" "${buildx:+, buildx $buildx}"
}

e2e_status() {
    if _e2e_engine_answers; then
        echo "engine: answers on $E2E_SOCK ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null))"
    else
        echo "engine: not answering on $E2E_SOCK"
    fi
    [ -f "$E2E_STATE/dockerd.pid" ] && echo "dockerd started by e2e-env: pid $(cat "$E2E_STATE/dockerd.pid")"
    [ -f "$E2E_STATE/registry.pid" ] && echo "registry started by e2e-env: pid $(cat "$E2E_STATE/registry.pid")"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
    up) e2e_up ;;
    down) e2e_down_recorded ;;
    images) e2e_up && e2e_images ;;
    registry-up) e2e_registry_up ;;
    registry-down) e2e_registry_down ;;
    debian-image) e2e_up && e2e_debian_image ;;
    status) e2e_status ;;
    label) e2e_engine_label ;;
    *)
        echo "usage: $0 up|down|images|registry-up|registry-down|debian-image|status|label" >&2
        exit 2
        ;;
    esac
fi
