#!/bin/sh
# Seeds the fuzz corpus from the shared conformance data (read, never copied into the repo).
# Each seed is a mode byte followed by a Dockerfile.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../../shared/conformance"
out="$here/corpus/parse_expand"
mkdir -p "$out"
i=0
for f in "$data"/buildkit/frontend/dockerfile/parser/testfiles/*/Dockerfile \
         "$data"/buildkit-derived/embedded/*/Dockerfile \
         "$data"/real-world/*/Dockerfile; do
    i=$((i + 1))
    { printf '\000'; cat "$f"; } > "$out/df$i"
done
# Each envVarTest input as an ENV value, in a few lexer modes.
grep -v '^#' "$data/buildkit/frontend/dockerfile/shell/envVarTest" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//' |
while IFS= read -r w; do
    i=$((i + 1))
    { printf "\\$(printf '%03o' $((i % 32)))"; printf 'FROM a\nENV X=%s\nLABEL l=%s\nRUN <<EOF\n%s\nEOF\n' "$w" "$w" "$w"; } > "$out/sh$i"
done
echo "seeded $(ls "$out" | wc -l) inputs into $out"
