#!/usr/bin/env bash
# End-to-end environment: a Docker engine with BuildKit, an optional local registry, and the
# local base images the tests build on (nothing can be pulled from a public registry here).
#
#   scripts/e2e-env.sh up              engine (reuses one answering on /var/run/docker.sock)
#   scripts/e2e-env.sh images          local base images (busybox:latest stand-in)
#   scripts/e2e-env.sh registry-up     Debian docker-registry on 127.0.0.1:5000
#   scripts/e2e-env.sh debian-image    optional debian:bookworm-slim stand-in (debootstrap, slow)
#   scripts/e2e-env.sh down            ends what `up`/`registry-up` started, by recorded PID
#   scripts/e2e-env.sh status
#
# Or source it and call e2e_up / e2e_images / e2e_registry_up / e2e_down; callers set
# `trap e2e_down EXIT` so a failed run leaves nothing behind: that stops only what the
# calling shell started. `down` stops what any earlier `up`/`registry-up` recorded. Only
# processes recorded in PID files under $E2E_STATE are ever stopped, never by name.

E2E_STATE=${E2E_STATE:-/tmp/mstage-e2e}
E2E_SOCK=${E2E_SOCK:-/var/run/docker.sock}
E2E_REGISTRY_ADDR=${E2E_REGISTRY_ADDR:-127.0.0.1:5000}
# Debian's 20.10 client; the `docker` earlier on PATH is a newer client without buildx.
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER DOCKER_BUILDKIT=1 DOCKER_HOST="unix://$E2E_SOCK"

_e2e_log() { printf 'e2e-env: %s\n' "$*" >&2; }

_e2e_engine_answers() {
    [ -S "$E2E_SOCK" ] && [ -x "$DOCKER" ] && timeout 10 "$DOCKER" version >/dev/null 2>&1
}

# Installs the Debian packages we need when something is missing (root on Debian only).
_e2e_install() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v containerd >/dev/null || missing+=(containerd)
    command -v runc >/dev/null || missing+=(runc)
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    command -v file >/dev/null || missing+=(file)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        _e2e_log "missing ${missing[*]} and not root on Debian: install them or start a Docker engine"
        return 1
    fi
    _e2e_log "installing ${missing[*]}"
    # docker.io would pull these in anyway; name them so a partial install is completed.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        docker.io containerd runc docker-registry busybox-static file >"$E2E_STATE/apt.log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$E2E_STATE/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            docker.io containerd runc docker-registry busybox-static file >>"$E2E_STATE/apt.log" 2>&1 || {
            _e2e_log "apt-get failed, see $E2E_STATE/apt.log"
            return 1
        }
    fi
}

_e2e_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

e2e_up() {
    mkdir -p "$E2E_STATE"
    if _e2e_engine_answers; then
        _e2e_log "using the Docker engine on $E2E_SOCK"
        return 0
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
            # setsid: its own session, so the caller's terminal signals don't reach it.
            setsid dockerd --host "unix://$E2E_SOCK" >>"$log" 2>&1 </dev/null &
            echo $! >"$pidfile"
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
    _e2e_stop_pid dockerd "$E2E_STATE/dockerd.pid"
}

# `e2e-env.sh down`: stops whatever e2e-env recorded, from any earlier invocation.
e2e_down_recorded() {
    e2e_registry_down
    _e2e_stop_pid dockerd "$E2E_STATE/dockerd.pid"
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
    *)
        echo "usage: $0 up|down|images|registry-up|registry-down|debian-image|status" >&2
        exit 2
        ;;
    esac
fi
