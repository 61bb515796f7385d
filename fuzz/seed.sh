#!/bin/sh
# Seeds every fuzz target's corpus from the shared conformance data (read, never copied into
# the repo): corpus/<target>/. Run `fuzz/seed.sh [TARGET]`; without TARGET it seeds all.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../../shared/conformance"
only=${1:-}
dockerfiles() {
    ls "$data"/buildkit/frontend/dockerfile/parser/testfiles/*/Dockerfile \
       "$data"/buildkit-derived/embedded/*/Dockerfile \
       "$data"/real-world/*/Dockerfile \
       "$data"/buildkit-integration/*/Dockerfile 2>/dev/null
}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }
dir() { mkdir -p "$here/corpus/$1"; echo "$here/corpus/$1"; }

# parse_expand: a mode byte followed by a Dockerfile, and each envVarTest input as an ENV
# value, in a few lexer modes.
if want parse_expand; then
    out=$(dir parse_expand); i=0
    for f in $(dockerfiles); do
        i=$((i + 1))
        { printf '\000'; cat "$f"; } > "$out/df$i"
    done
    grep -v '^#' "$data/buildkit/frontend/dockerfile/shell/envVarTest" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//' |
    while IFS= read -r w; do
        i=$((i + 1))
        { printf "\\$(printf '%03o' $((i % 32)))"; printf 'FROM a\nENV X=%s\nLABEL l=%s\nRUN <<EOF\n%s\nEOF\n' "$w" "$w" "$w"; } > "$out/sh$i"
    done
fi

# compile: a mode byte, the Dockerfile, then `\n\0\n` and the case's target, platform and
# build args (buildkit-integration's case.json) when it has them.
if want compile; then
    out=$(dir compile); i=0
    for f in $(dockerfiles); do
        i=$((i + 1))
        case_json="$(dirname "$f")/case.json"
        { printf "\\$(printf '%03o' $(( (i * 37) % 256 )))"; cat "$f"
          if [ -f "$case_json" ]; then
              printf '\n\000\n'
              python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))
if c.get("target"): print("t="+c["target"])
if c.get("platform"): print("p="+c["platform"])
for k,v in (c.get("build_args") or {}).items(): print(k+"="+v)' "$case_json"
          fi; } > "$out/df$i"
    done
fi

# frontend_opts: the options buildx sends for a case (one `key=value` per line), a workers
# record and a .dockerignore after `\n\0\n`.
if want frontend_opts; then
    out=$(dir frontend_opts); i=0
    for c in "$data"/buildkit-integration/*/case.json; do
        i=$((i + 1))
        python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))
print("filename="+c.get("dockerfile_name","Dockerfile"))
if c.get("target"): print("target="+c["target"])
if c.get("platform"): print("platform="+c["platform"])
for k,v in (c.get("build_args") or {}).items(): print("build-arg:"+k+"="+v)' "$c" > "$out/case$i"
    done
    printf 'platform=linux/amd64,linux/arm64\nmulti-platform=1\nno-cache=\nadd-hosts=a=1.2.3.4,b:::1\nshm-size=64m\nulimit=nofile=1024:2048\nforce-network-mode=none\nimage-resolve-mode=pull\nhostname=h\nlabel:a=b\ncontext:base=docker-image://alpine\nBUILDKIT_WORKERS=[{"Platforms":[{"os":"linux","architecture":"arm64"}]}]\nBUILDKIT_SESSION_ID=s\n\n\000\n*\n!keep\n' > "$out/all"
    printf 'context:a=local:ctx\ncontext:b=https://example.com/x.tar\ncontext:c=git@github.com:a/b.git\nno-cache=a,b\nshm-size=1GiB\n' > "$out/contexts"
fi

# dockerignore: paths to match on the first line, then the ignore file.
if want dockerignore; then
    out=$(dir dockerignore); i=0
    for f in $(find "$data" -name '*dockerignore'); do
        i=$((i + 1))
        { printf 'a/b|src/x.go|node_modules/m|.git/HEAD\n'; cat "$f"; } > "$out/f$i"
    done
    printf 'a|b/c\n**/*.go\n!keep.go\n# c\n/abs/../x\n[a-z]?\\*\n' > "$out/globs"
fi

# image_ref and platform: the FROM images and --platform values of every Dockerfile.
if want image_ref || want platform; then
    refs=$(dir image_ref); plats=$(dir platform); i=0
    for f in $(dockerfiles); do
        grep -ihoE '^[[:space:]]*FROM[[:space:]].*' "$f" 2>/dev/null | sed -E 's/^[[:space:]]*[Ff][Rr][Oo][Mm][[:space:]]+//; s/--platform=[^ ]+ +//; s/ .*//' 
    done | sort -u | while IFS= read -r r; do
        i=$((i + 1)); printf '%s' "$r" > "$refs/r$i"
    done
    for p in linux/amd64 linux/arm64/v8 linux/arm/v7 linux/arm/v6 windows/amd64 \
             'windows(10.0.17763)/amd64' 'linux(+feat+gpu)/amd64' aarch64 armhf darwin \
             linux/riscv64 linux/ppc64le linux/s390x linux/386 'linux/amd64/v3' \
             'linux/amd64,linux/arm64'; do
        i=$((i + 1)); printf '%s' "$p" > "$plats/p$i"
    done
    printf '{"os":"linux","architecture":"arm","variant":"v7","os.version":"1","os.features":["a"]}' > "$plats/json"
fi

# heredoc_json: the rest of every RUN/COPY/CMD/ENTRYPOINT line that uses a heredoc or the
# JSON form, with the heredoc bodies that follow (a mode byte picks the instruction).
if want heredoc_json; then
    out=$(dir heredoc_json); i=0
    for f in $(dockerfiles); do
        i=$((i + 1))
        python3 -c 'import sys,re
kw={"run":0,"copy":1,"cmd":2,"entrypoint":3,"shell":4}
lines=open(sys.argv[1],"rb").read().decode("utf-8","replace").split("\n")
n=0
for j,l in enumerate(lines):
    m=re.match(r"\s*(\w+)\s+(.*)",l)
    if not m or m.group(1).lower() not in kw: continue
    rest=m.group(2)
    if not (rest.startswith("[") or "<<" in rest): continue
    body=rest
    if "<<" in rest: body="\n".join([rest]+lines[j+1:j+40])
    n+=1
    open(sys.argv[2]+"_"+str(n),"wb").write(bytes([kw[m.group(1).lower()]])+body.encode())
' "$f" "$out/h$i"
    done
fi
for t in parse_expand compile frontend_opts dockerignore image_ref platform heredoc_json; do
    want "$t" && echo "seeded $(ls "$here/corpus/$t" | wc -l) inputs into corpus/$t"
done
true
