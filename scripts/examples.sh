#!/usr/bin/env bash
# Builds every example of examples/ end to end through its `# syntax=mstage:dev` line on the
# Docker engine's BuildKit, runs the image and checks what it does (an HTTP answer, a printed
# line, an exit code, the image config), checks that the engine's built-in frontend builds
# the same Dockerfile from mstage's cache (every step CACHED, same config; buildkit-extras
# only where the built-in frontend has COPY --link: not Docker 20.10's), then builds the
# example's Dockerfile.single (the same app in one stage) and prints both image sizes.
# The last line, on stdout, is `examples (docker 28.5): 9/9` (the engine: E2E_ENGINE of
# scripts/e2e-env.sh, old = Debian's 20.10, current = 28.5 with buildx, whose `docker build`
# is `docker buildx build`).
#
#   bash scripts/examples.sh [--update-readmes] [NAME...]     default: every example
#
# --update-readmes  also writes the measured sizes into each example's README and the
#                   top-level README (between the <!-- sizes --> markers)
# EXAMPLES_NO_CACHE=1       every build with --no-cache (to time a build from a clean cache)
# EXAMPLE_BUILD_TIMEOUT=600 seconds after which one docker build is ended and fails
#
# Base images are the local stand-ins of scripts/make-example-standins.sh (nothing can be
# pulled here; on the current engine they are copied from the 20.10 engine when it has them).
# Images are tagged mstage-example/NAME:multi and :single. Containers this
# script starts are removed by id when it ends. Exits 1 when any example fails. Logs:
# $E2E_STATE/examples/NAME.log; the size table: $E2E_STATE/examples/sizes.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

update=0 only=()
for a in "$@"; do
    case $a in
    --update-readmes) update=1 ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) echo "examples: unknown option $a" >&2; exit 2 ;;
    *) only+=("$a") ;;
    esac
done

# shellcheck source=scripts/e2e-env.sh
source scripts/e2e-env.sh
scratch=
# Every container an example starts is listed in $scratch/containers (the examples run in
# subshells), and removed by id here.
cleanup() {
    local c
    if [ -n "$scratch" ]; then
        while read -r c; do "$DOCKER" rm -f "$c" >/dev/null 2>&1 || true; done <"$scratch/containers" 2>/dev/null
        rm -rf "$scratch"
    fi
    e2e_down
}
trap cleanup EXIT
e2e_up
e2e_images
for tool in curl jq; do
    if ! command -v $tool >/dev/null && [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $tool >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q $tool >/dev/null; }
    fi
done
# `docker 28.5`: the engine, for the summary line (without buildx's version).
engine_label=$(e2e_engine_label)
engine_label=${engine_label%%,*}
# The containerd image store (28.5 here): an image's ID is its index digest (with buildx's
# provenance attestation in it), `.Size` the compressed content, `docker save` an OCI
# layout with gzip layers. 20.10's store: ID = config digest, `.Size` = unpacked layers.
containerd_store=0
"$DOCKER" info -f '{{range .DriverStatus}}{{.}}{{end}}' 2>/dev/null | grep -q io.containerd.snapshotter && containerd_store=1
if ! "$DOCKER" image inspect mstage:dev >/dev/null 2>&1; then
    bash scripts/package-dev-image.sh --build
fi
t_standins=$(date +%s)
bash scripts/make-example-standins.sh
t_standins=$(($(date +%s) - t_standins))

out=$E2E_STATE/examples
mkdir -p "$out"
scratch=$(mktemp -d /tmp/mstage-examples.XXXXXX)
: >"$scratch/containers"
# Sizes by example, kept across runs (a run of some examples updates their rows only).
touch "$out/sizes.tsv"

say() { printf 'examples: %s\n' "$*" >&2; }
fail() {
    printf 'examples: FAIL %s\n' "$*" >&2
    return 1
}

# build DIR TAG [docker build args...]: through the Dockerfile's own syntax line (mstage).
# A build that takes longer than EXAMPLE_BUILD_TIMEOUT (600 s) is ended and fails.
build() {
    local dir=$1 tag=$2 rc=0
    shift 2
    local nocache=()
    [ "${EXAMPLES_NO_CACHE:-0}" = 1 ] && nocache=(--no-cache)
    timeout "${EXAMPLE_BUILD_TIMEOUT:-600}" "$DOCKER" build --progress=plain "${nocache[@]}" -t "$tag" "$@" "$dir" || rc=$?
    [ $rc = 124 ] && say "docker build $dir $* did not finish within ${EXAMPLE_BUILD_TIMEOUT:-600} s"
    return $rc
}

# run_bg IMAGE [docker run args...]: starts a container, prints its id, records it for cleanup.
run_bg() {
    local image=$1 id
    shift
    id=$("$DOCKER" run -d "$@" "$image")
    echo "$id" >>"$scratch/containers"
    echo "$id"
}
stop() { "$DOCKER" rm -f "$1" >/dev/null 2>&1 || true; }

ip_of() { "$DOCKER" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }

# http_expect ID PORT PATH REGEX: GET until it answers (30 s), then the body must match REGEX.
http_expect() {
    local id=$1 port=$2 path=$3 want=$4 ip body=
    ip=$(ip_of "$id")
    for _ in $(seq 1 60); do
        if body=$(curl -fsS --max-time 3 "http://$ip:$port$path" 2>/dev/null); then break; fi
        if [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$id")" != true ]; then
            "$DOCKER" logs "$id" >&2 || true
            fail "container $id exited before answering GET $path"
            return 1
        fi
        sleep 0.5
    done
    if ! grep -Eq -- "$want" <<<"$body"; then
        "$DOCKER" logs "$id" >&2 || true
        fail "GET $path: got '${body}', want /$want/"
        return 1
    fi
    say "GET $path -> $(head -c 200 <<<"$body" | tr '\n' ' ')"
}

# healthy ID: the image's HEALTHCHECK (run every second: the container was started with
# --health-interval=1s) reports healthy within 30 s.
healthy() {
    local id=$1 s=
    for _ in $(seq 1 60); do
        s=$("$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
        [ "$s" = healthy ] && { say "HEALTHCHECK: healthy"; return 0; }
        [ -z "$s" ] && { fail "image has no HEALTHCHECK"; return 1; }
        sleep 0.5
    done
    "$DOCKER" inspect -f '{{json .State.Health}}' "$id" >&2
    fail "not healthy after 30 s (status $s)"
}

# config_is IMAGE GO-TEMPLATE WANT
config_is() {
    local got
    got=$("$DOCKER" image inspect -f "$2" "$1")
    [ "$got" = "$3" ] || { fail "$1: $2 is '$got', want '$3'"; return 1; }
}

# output_is WANT docker-run-args...: the container's stdout must be exactly WANT.
output_is() {
    local want=$1 got
    shift
    got=$("$DOCKER" run --rm "$@") || { fail "docker run $* exited $?"; return 1; }
    [ "$got" = "$want" ] || { fail "docker run $*: printed '$got', want '$want'"; return 1; }
    say "docker run $* -> $got"
}

# image_api IMAGE JQ-FILTER: the engine's own summary of IMAGE (GET /images/json with its
# per-platform manifests, API 1.47), through jq. Only for the containerd image store.
image_api() {
    curl -fsS --unix-socket "${DOCKER_HOST#unix://}" -G "http://docker/v1.47/images/json" \
        --data-urlencode manifests=1 --data-urlencode "filters={\"reference\":[\"$1\"]}" |
        jq -er "[.[0].Manifests[] | select(.Kind == \"image\" and .Available)][0] | $2"
}

# size_of IMAGE: bytes of its unpacked layers. 20.10 reports them as .Size (the files'
# sizes added up); on the containerd store .Size is the compressed content, so the engine's
# unpacked snapshot size instead (`docker image ls --tree`: disk usage minus content), which
# is disk usage in whole blocks: larger than 20.10's figure for images of many small files
# (node_modules: +25% and more), the same for large files.
size_of() {
    if [ "$containerd_store" = 1 ]; then
        image_api "$1" .ImageData.Size.Unpacked
    else
        "$DOCKER" image inspect -f '{{.Size}}' "$1"
    fi
}

# image_digest IMAGE: what identifies the image built: the config digest (20.10's image ID),
# or on the containerd store the digest of the platform's image manifest (config + layers;
# the index around it also holds the provenance attestation, which records the build's
# options such as --target, so two builds of one image differ there).
image_digest() {
    if [ "$containerd_store" = 1 ]; then
        image_api "$1" .ID
    else
        "$DOCKER" image inspect -f '{{.Id}}' "$1"
    fi
}

# saved_contains IMAGE STRING: whether STRING is in `docker save IMAGE`, in a layer (gzip
# layers unpacked: the containerd store saves them compressed), the config or the history.
saved_contains() {
    local dir=$scratch/save.$$ f found=1
    rm -rf "$dir" && mkdir -p "$dir"
    "$DOCKER" save "$1" | tar -x -C "$dir"
    while IFS= read -r -d '' f; do
        if gzip -t "$f" 2>/dev/null; then
            # grep -c reads to the end: with grep -q, zcat could die of SIGPIPE on a match
            # and fail the pipeline (pipefail)
            if zcat "$f" | grep -acF -- "$2" >/dev/null; then found=0; break; fi
        elif grep -aqF -- "$2" "$f"; then
            found=0
            break
        fi
    done < <(find "$dir" -type f -print0)
    rm -rf "$dir"
    return $found
}

# stock_has_link: whether the engine's built-in frontend knows COPY --link (20.10's does
# not: "unknown flag: link"). Probed once with an empty build.
stock_has_link() {
    if [ -z "${_stock_link:-}" ]; then
        mkdir -p "$scratch/link-probe"
        printf 'FROM scratch\nCOPY --link Dockerfile /x\n' >"$scratch/link-probe/Dockerfile"
        _stock_link=no
        "$DOCKER" build -q -o "type=tar,dest=/dev/null" "$scratch/link-probe" >/dev/null 2>&1 && _stock_link=yes
    fi
    [ "$_stock_link" = yes ]
}

# stock_reuses_cache DIR IMAGE [docker build args...]: right after mstage built IMAGE from
# DIR, the engine's built-in frontend builds the same Dockerfile (syntax line replaced by
# `#`) with the same args: every build step must be CACHED (mstage's LLB is BuildKit's own,
# op for op) and the image config must be the same.
stock_reuses_cache() {
    local dir=$1 image=$2 copy log steps s n=0 c=0 a b
    shift 2
    copy=$scratch/stock-$(basename "$dir")
    rm -rf "$copy" && cp -r "$dir" "$copy"
    sed -i '1s/.*/#/' "$copy/Dockerfile"
    log=$scratch/stock-$(basename "$dir").log
    EXAMPLES_NO_CACHE=0 build "$copy" "$image-stock" "$@" >"$log" 2>&1 ||
        { tail -20 "$log"; fail "the built-in frontend failed on $dir"; return 1; }
    steps=$(grep -E '^#[0-9]+ \[' "$log" | grep -v '\[internal\]' | grep -v ' FROM ' | awk '{print $1}' | sort -u)
    for s in $steps; do
        n=$((n + 1))
        if grep -q "^$s CACHED" "$log"; then c=$((c + 1)); else say "not cached: $(grep -m1 "^$s \[" "$log")"; fi
    done
    a=$("$DOCKER" image inspect -f '{{json .Config}}' "$image")
    b=$("$DOCKER" image inspect -f '{{json .Config}}' "$image-stock")
    [ "$a" = "$b" ] || { fail "config differs from the built-in frontend's: $a vs $b"; return 1; }
    [ "$n" -gt 0 ] && [ "$c" = "$n" ] || { fail "built-in frontend: $c/$n steps cached from the mstage build"; return 1; }
    say "built-in frontend: $c/$n steps CACHED from the mstage build, same image config"
}

# record NAME MULTI_TAG SINGLE_TAG: (re)places NAME's row in sizes.tsv.
record() {
    { grep -v "^$1"$'\t' "$out/sizes.tsv" || true; } >"$out/sizes.tsv.tmp"
    printf '%s\t%s\t%s\n' "$1" "$(size_of "$2")" "$(size_of "$3")" >>"$out/sizes.tsv.tmp"
    mv "$out/sizes.tsv.tmp" "$out/sizes.tsv"
}

# --- one function per example -------------------------------------------------------------

ex_hello() {
    local img=mstage-example/hello:multi
    build examples/hello "$img"
    stock_reuses_cache examples/hello "$img"
    output_is "Hello from a multi-stage build, compiled by mstage" "$img"
}

ex_node_typescript_api() {
    local d=examples/node-typescript-api img=mstage-example/node-typescript-api id
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    config_is "$img:multi" '{{.Config.User}}' 10001:10001
    config_is "$img:multi" '{{json .Config.Cmd}}' '["node","dist/server.js"]'
    config_is "$img:multi" '{{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}}' 3000/tcp
    # Production dependencies only: zod yes; typescript, @types and the TS sources no.
    "$DOCKER" run --rm --entrypoint sh "$img:multi" -c \
        'test -d node_modules/zod && test ! -e node_modules/typescript && test ! -e node_modules/@types/node && test ! -e src && test "$(id -u):$(id -g)" = 10001:10001' ||
        fail "runtime image: dev dependencies or sources present, or wrong user"
    id=$(run_bg "$img:multi" --health-interval=1s)
    http_expect "$id" 3000 '/hello?name=mstage' '^\{"message":"Hello, mstage!"\}$'
    http_expect "$id" 3000 /health '"status":"ok"'
    healthy "$id"
    stop "$id"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 3000 '/hello?name=single' 'Hello, single!'
    stop "$id"
    record node-typescript-api "$img:multi" "$img:single"
}

ex_static_site_nginx() {
    local d=examples/static-site-nginx img=mstage-example/static-site-nginx id
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    # Only the built files: no node, no sources, no node_modules.
    "$DOCKER" run --rm "$img:multi" sh -c \
        '! command -v node && ! command -v npm && test ! -e /app && ls /usr/share/nginx/html/assets/app.js' ||
        fail "final image holds node or the sources"
    id=$(run_bg "$img:multi")
    http_expect "$id" 8080 / '<title>mstage static site</title>'
    http_expect "$id" 8080 /assets/app.js 'Good morning'
    http_expect "$id" 8080 /healthz '^ok$'
    stop "$id"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 8080 /assets/app.js 'Good morning'
    stop "$id"
    record static-site-nginx "$img:multi" "$img:single"
}

ex_go_scratch() {
    local d=examples/go-scratch img=mstage-example/go-scratch id files
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    config_is "$img:multi" '{{.Config.User}}' 65532:65532
    config_is "$img:multi" '{{json .Config.Entrypoint}}' '["/server"]'
    # scratch + two COPY layers, and exactly these files.
    config_is "$img:multi" '{{len .RootFS.Layers}}' 2
    id=$("$DOCKER" create "$img:multi")
    echo "$id" >>"$scratch/containers"
    files=$("$DOCKER" export "$id" | tar -t | grep -v '/$' | grep -Ev '^(\.dockerenv|dev/console|etc/(hosts|hostname|resolv\.conf|mtab))$' | sort | tr '\n' ' ')
    stop "$id"
    [ "$files" = "etc/ssl/certs/ca-certificates.crt server " ] || fail "files in the image: $files"
    id=$(run_bg "$img:multi")
    http_expect "$id" 8080 / '^hello from a static Go binary in a scratch image \(uid 65532\)$'
    http_expect "$id" 8080 /tls 'system pool ok=true, certificates in bundle=[1-9][0-9]+'
    stop "$id"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 8080 / 'hello from a static Go binary'
    stop "$id"
    record go-scratch "$img:multi" "$img:single"
}

ex_python_venv() {
    local d=examples/python-venv img=mstage-example/python-venv id
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    config_is "$img:multi" '{{.Config.User}}' 10001:10001
    # The runtime has the virtualenv but not pip's system package (python3-pip) nor the builder's files.
    "$DOCKER" run --rm "$img:multi" sh -c \
        'test -x /opt/venv/bin/gunicorn && python -c "import flask" && test ! -e /tmp/requirements.txt' ||
        fail "runtime image: virtualenv incomplete or builder files present"
    id=$(run_bg "$img:multi")
    http_expect "$id" 8000 / '"message":"hello from a virtualenv copied into a slim image"'
    http_expect "$id" 8000 / '"venv":"/opt/venv"'
    http_expect "$id" 8000 /items/1 '"item":"banana"'
    stop "$id"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 8000 /items/2 '"item":"cherry"'
    stop "$id"
    record python-venv "$img:multi" "$img:single"
}

ex_java_maven() {
    local d=examples/java-maven img=mstage-example/java-maven want
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    config_is "$img:multi" '{{.Config.User}}' 10001:10001
    "$DOCKER" run --rm --entrypoint sh "$img:multi" -c \
        '! command -v javac && ! command -v mvn && test -f /opt/app/app.jar && test ! -e /src' ||
        fail "runtime image holds the JDK, Maven or the sources"
    want="words=6 distinct=4 {be=2, not=1, or=1, to=2} (java $("$DOCKER" run --rm --entrypoint java "$img:multi" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p'))"
    output_is "$want" "$img:multi"
    output_is "words=3 distinct=2 {a=1, rose=2} (java ${want##*(java }" "$img:multi" rose a rose
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    output_is "$want" "$img:single"
    record java-maven "$img:multi" "$img:single"
}

ex_build_test_runtime() {
    local d=examples/build-test-runtime img=mstage-example/build-test-runtime copy=$scratch/btr
    # --no-cache: the tests really run (a cached test step prints nothing).
    build "$d" "$img:test" --target test --no-cache 2>&1 | tee "$scratch/btr-test.log"
    grep -q -- '--- PASS: TestMake' "$scratch/btr-test.log" || fail "--target test did not run the tests"
    build "$d" "$img:multi"
    stock_reuses_cache "$d" "$img:multi"
    output_is hello-world "$img:multi" "Hello, World!"
    output_is multi-stage-builds "$img:multi" "Multi-stage" "builds"
    # A failing test fails `--target test`; the default target does not run the tests.
    rm -rf "$copy" && cp -r "$d" "$copy"
    sed -i 's/"Hello, World!": *"hello-world"/"Hello, World!": "hello_world"/' "$copy/slug/slug_test.go"
    grep -q hello_world "$copy/slug/slug_test.go" || fail "could not break the test"
    if build "$copy" mstage-example/build-test-runtime:broken-test --target test >"$scratch/btr-broken.log" 2>&1; then
        fail "--target test passed with a failing test"
    fi
    grep -q -- '--- FAIL: TestMake' "$scratch/btr-broken.log" || { tail -20 "$scratch/btr-broken.log"; fail "the failing test's output is missing"; }
    say "--target test with a broken test: build failed as it should"
    build "$copy" mstage-example/build-test-runtime:broken-default >"$scratch/btr-default.log" 2>&1 ||
        { tail -20 "$scratch/btr-default.log"; fail "default target failed: it should not run the test stage"; }
    ! grep -q 'go test' "$scratch/btr-default.log" || fail "default target ran the test stage"
    say "default target with a broken test: built, test stage skipped"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    output_is hello-world "$img:single" "Hello, World!"
    record build-test-runtime "$img:multi" "$img:single"
}

ex_dev_prod_targets() {
    local d=examples/dev-prod-targets img=mstage-example/dev-prod-targets id
    build "$d" "$img:dev" --target dev
    build "$d" "$img:multi" --target prod
    stock_reuses_cache "$d" "$img:multi" --target prod
    # The default target is prod (the last stage): same image (cached even with
    # EXAMPLES_NO_CACHE, to compare the image ids).
    EXAMPLES_NO_CACHE=0 build "$d" "$img:default"
    [ "$(image_digest "$img:default")" = "$(image_digest "$img:multi")" ] ||
        fail "the default target's image $(image_digest "$img:default") is not --target prod's $(image_digest "$img:multi")"
    config_is "$img:multi" '{{.Config.User}}' node
    id=$(run_bg "$img:multi" --health-interval=1s)
    http_expect "$id" 3000 / '^\{"mode":"production","nodemon":false,"express":"4\.21\.1"\}$'
    healthy "$id"
    stop "$id"
    id=$(run_bg "$img:dev")
    http_expect "$id" 3000 / '^\{"mode":"development","nodemon":true,"express":"4\.21\.1"\}$'
    # nodemon is what runs the dev server
    # (outputs captured, not piped into grep -q: with pipefail, grep -q exiting early can
    # fail the pipeline by SIGPIPE on a match)
    local procs
    procs=$("$DOCKER" top "$id")
    grep -q nodemon <<<"$procs" || fail "dev container does not run nodemon: $procs"
    stop "$id"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 3000 / '"mode":"production","nodemon":true'
    stop "$id"
    record dev-prod-targets "$img:multi" "$img:single"
    record "dev-prod-targets (dev)" "$img:dev" "$img:single"
}

ex_buildkit_extras() {
    local d=examples/buildkit-extras img=mstage-example/buildkit-extras id copy=$scratch/extras
    local token="mstage-secret-token-$$-$RANDOM"
    printf 'machine git.example.com login ci password %s\n' "$token" >"$scratch/netrc"
    build "$d" "$img:multi" --secret id=netrc,src="$scratch/netrc"
    if stock_has_link; then
        stock_reuses_cache "$d" "$img:multi" --secret id=netrc,src="$scratch/netrc"
    else
        say "built-in frontend: no COPY --link on this engine; cache reuse not checked"
    fi
    config_is "$img:multi" '{{.Config.User}}' 65532:65532
    id=$(run_bg "$img:multi" --health-interval=1s)
    http_expect "$id" 8080 / '^extras 1\.0\.0 linux/amd64$'
    healthy "$id"
    stop "$id"
    # The secret is in no layer, config or history.
    if saved_contains "$img:multi" "$token"; then fail "the secret is in the saved image"; fi
    # the control: the saved image does hold the binary's version string
    saved_contains "$img:multi" "extras %s %s/%s" || fail "docker save output has no binary in it"
    local hist
    hist=$("$DOCKER" history --no-trunc "$img:multi")
    if grep -q "$token" <<<"$hist"; then fail "the secret is in the history"; fi
    say "secret: absent from the image, its config and history"
    # required=true: without the secret the build fails. --no-cache: secrets are not part of
    # the cache key, so a cached `go mod download` step would not even look for it.
    if build "$d" mstage-example/buildkit-extras:no-secret --no-cache >"$scratch/extras-nosecret.log" 2>&1; then
        fail "built without the required secret"
    fi
    # ... because of the secret (BuildKit: "secret netrc: not found").
    grep -q 'netrc' <<<"$(tail -3 "$scratch/extras-nosecret.log")" ||
        { tail -5 "$scratch/extras-nosecret.log"; fail "the build without --secret failed for another reason"; }
    say "no --secret: build failed: $(tail -1 "$scratch/extras-nosecret.log" | sed 's/.*gateway.v0: //' | head -c 160)"
    # Cross-compilation: the compiler runs on the build platform, the binary is arm64.
    rm -rf "$scratch/out"
    build "$d" "$img:binary-arm64" --secret id=netrc,src="$scratch/netrc" --platform linux/arm64 \
        --build-arg APP_VERSION=2.0.0 --target binary -o "type=local,dest=$scratch/out"
    grep -q 'ARM aarch64' <<<"$(file "$scratch/out/app")" || fail "cross-compiled binary: $(file "$scratch/out/app")"
    say "--platform linux/arm64 --target binary: $(file -b "$scratch/out/app" | cut -d, -f1-2)"
    # .dockerignore: changes to ignored files (docs, .env, secrets/) leave the build cached.
    rm -rf "$copy" && cp -r "$d" "$copy"
    EXAMPLES_NO_CACHE=0 build "$copy" "$img:ignore-check" --secret id=netrc,src="$scratch/netrc" >/dev/null 2>&1
    echo "changed" >>"$copy/README.md"
    mkdir -p "$copy/secrets" && echo "$token" >"$copy/secrets/token" && echo "TOKEN=$token" >"$copy/.env"
    EXAMPLES_NO_CACHE=0 build "$copy" "$img:ignore-check" --secret id=netrc,src="$scratch/netrc" >"$scratch/extras-ignore.log" 2>&1
    grep -q CACHED <<<"$(grep -A2 -E '\[build +[0-9]+/[0-9]+\] COPY \. \.' "$scratch/extras-ignore.log")" ||
        { cat "$scratch/extras-ignore.log"; fail "an ignored file invalidated COPY . ."; }
    say ".dockerignore: README.md, .env, secrets/ changed, COPY . . stayed cached"
    build "$d" "$img:single" -f "$d/Dockerfile.single"
    id=$(run_bg "$img:single")
    http_expect "$id" 8080 / '^extras 1\.0\.0 linux/amd64$'
    stop "$id"
    record buildkit-extras "$img:multi" "$img:single"
}

all_examples=(hello node-typescript-api static-site-nginx go-scratch python-venv java-maven
    build-test-runtime dev-prod-targets buildkit-extras)
all=("${all_examples[@]}")
[ ${#only[@]} -gt 0 ] && all=("${only[@]}")

status=0 passed=0 t_all=$(date +%s)
summary=()
for name in "${all[@]}"; do
    fn=ex_${name//-/_}
    if ! declare -F "$fn" >/dev/null; then
        fail "no example named $name"
        status=1
        continue
    fi
    say "== $name"
    t0=$(date +%s)
    # A subshell with errexit, not in a condition (where bash ignores set -e): the first
    # failing command or check ends that example.
    set +e
    (set -e; "$fn") >"$out/$name.log" 2>&1
    rc=$?
    set -e
    if [ $rc = 0 ]; then
        passed=$((passed + 1))
        summary+=("ok    $name ($(($(date +%s) - t0)) s)")
    else
        status=1
        summary+=("FAIL  $name ($(($(date +%s) - t0)) s), log $out/$name.log")
        tail -25 "$out/$name.log" >&2
    fi
    grep '^examples: ' "$out/$name.log" | sed 's/^/  /' >&2 || true
done

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
table=$out/sizes.md
{
    echo "| example | multi-stage image | single-stage image (\`Dockerfile.single\`) | multi / single |"
    echo "|---|---|---|---|"
    rows=()
    for row in "${all_examples[@]}"; do
        rows+=("$row")
        [ "$row" = dev-prod-targets ] && rows+=("dev-prod-targets (dev)")
    done
    for row in "${rows[@]}"; do
        line=$(grep "^$row"$'\t' "$out/sizes.tsv") || continue
        IFS=$'\t' read -r name m s <<<"$line"
        printf '| %s | %s | %s | %s%% |\n' "$name" "$(mb "$m")" "$(mb "$s")" "$(awk -v m="$m" -v s="$s" 'BEGIN { p = 100 * m / s; printf (p < 10 ? "%.1f" : "%.0f"), p }')"
    done
} >"$table"

say "stand-ins: ${t_standins} s; examples: $(($(date +%s) - t_all)) s"
printf '%s\n' "${summary[@]}" >&2
cat "$table" >&2
say "$passed/${#all[@]} examples passed"

# Writes the table (or the example's row) between <!-- sizes --> and <!-- /sizes -->.
replace_sizes() {
    local file=$1 body=$2
    grep -q '<!-- sizes -->' "$file" || { say "no <!-- sizes --> marker in $file"; return 0; }
    awk -v body="$body" '
        /<!-- sizes -->/ { print; print body; skip = 1; next }
        /<!-- \/sizes -->/ { skip = 0 }
        !skip { print }' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}
if [ "$update" = 1 ]; then
    engine="Docker $("$DOCKER" version -f '{{.Server.Version}}') and its built-in BuildKit, base images: the stand-ins of \`scripts/make-example-standins.sh\`"
    [ "$containerd_store" = 1 ] && engine="$engine; sizes: unpacked snapshot disk usage of the containerd image store"
    head2=$(head -2 "$table")
    while IFS=$'\t' read -r name _ _; do
        dir=examples/${name%% *}
        [ -f "$dir/README.md" ] || continue
        rows=$(grep -F "| ${name%% *}" "$table")
        replace_sizes "$dir/README.md" "$head2
$rows

Measured by \`bash scripts/examples.sh --update-readmes\` on $(date -u +%Y-%m-%d), $engine."
    done <"$out/sizes.tsv"
    replace_sizes README.md "$(cat "$table")

Measured by \`bash scripts/examples.sh --update-readmes\` on $(date -u +%Y-%m-%d), $engine."
fi
echo "examples ($engine_label): $passed/${#all[@]}"
exit $status
