# shellcheck shell=bash
# Debian packages for the scripts, in one place. Source it, then:
#
#   apt_install PKG...    installs PKG... with apt-get; when that fails (stale package lists),
#                         runs `apt-get update` once and tries again. Returns 1, silently,
#                         without root or apt-get (callers say what is missing), and when the
#                         second try fails. apt's output goes to $APT_LOG (default
#                         /dev/null), appended.
apt_install() {
    local log=${APT_LOG:-/dev/null}
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$log" 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$log" 2>&1
}
