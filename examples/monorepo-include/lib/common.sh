# Shared shell library of the monorepo's services.
LIB_VERSION=1.0
say() {
    echo "$SERVICE: $* (shared lib $LIB_VERSION)"
}
self_test() {
    [ -n "$SERVICE" ] && echo "$SERVICE: self-test ok" && exit 0
    exit 1
}
