#!/bin/sh
# Whole-process timing of `vigil cvss score --stdin` on 100,000 vectors, built by repeating the
# shared RedHat reference vectors. Usage: bench/cvss_stdin.sh BUILD_DIR [SHARED_DIR]
set -eu
build=${1:?usage: cvss_stdin.sh BUILD_DIR [SHARED_DIR]}
shared=${2:-$(dirname "$0")/../../shared}
input=$(mktemp /tmp/vigil-cvss-100k.XXXXXX)
trap 'rm -f "$input" "$input.one"' EXIT
sed 's/ - .*//' "$shared"/data/cvss/redhat-cvss-vectors/vectors_* > "$input.one"
while [ "$(wc -l < "$input")" -lt 100000 ]; do cat "$input.one" >> "$input"; done
head -n 100000 "$input" > "$input.one" && mv "$input.one" "$input"
echo "vectors: $(wc -l < "$input")"
/usr/bin/time -f "vigil cvss score --stdin: %e s elapsed, %M KiB max RSS" \
  "$build/src/cli/vigil" cvss score --stdin < "$input" > /dev/null
