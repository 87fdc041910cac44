#!/bin/bash
# Whole-process image scan timings against `gzip -dc` on the same layer blobs.
# Builds (once, with umoci) a two-layer OCI image of about 500 MB uncompressed from host
# directories (/usr/share/doc, /usr/share/locale, /usr/lib/python3, the host dpkg database;
# then /usr/share/go-1.19, /usr/share/java, /usr/lib/node_modules), then reports:
#   gzip -dc of every layer blob (the floor), a cold scan (empty caches, best of 3), a warm scan
#   from the layer cache (every layer cached, re-cataloged; best of 5), a warm scan with the
#   inventory cache too (best of 5), the peak RSS of each, and the function-bundle counters.
# Usage: bench/image_bench.sh BUILD_DIR [WORK_DIR]    (BUILD_DIR must have vigil_image_bench)
set -euo pipefail
build=${1:?usage: image_bench.sh BUILD_DIR [WORK_DIR]}
work=${2:-/tmp/vigil-image-bench}
bench="$build/bench/vigil_image_bench"
layout="$work/layout"
mkdir -p "$work"

copy_into() {  # copy_into ROOTFS PATH... : copies host paths that exist, keeping their layout
  local root=$1; shift
  for path in "$@"; do
    if [ -e "$path" ]; then
      mkdir -p "$root$(dirname "$path")"
      cp -a "$path" "$root$(dirname "$path")/"
    fi
  done
}

if [ ! -f "$layout/index.json" ]; then
  echo "building the benchmark image in $layout (once)..."
  rm -rf "$layout" "$work/b1" "$work/b2"
  umoci init --layout "$layout" >/dev/null
  umoci new --image "$layout:bench" >/dev/null
  umoci unpack --rootless --image "$layout:bench" "$work/b1" >/dev/null
  copy_into "$work/b1/rootfs" /etc/os-release /usr/lib/os-release /var/lib/dpkg/status \
    /usr/share/doc /usr/share/locale /usr/lib/python3
  umoci repack --history.created_by "ADD base /" --image "$layout:bench" "$work/b1" >/dev/null
  umoci unpack --rootless --image "$layout:bench" "$work/b2" >/dev/null
  copy_into "$work/b2/rootfs" /usr/share/go-1.19 /usr/share/java /usr/lib/node_modules
  umoci repack --history.created_by "RUN install toolchains" --image "$layout:bench" "$work/b2" >/dev/null
  rm -rf "$work/b1" "$work/b2"
fi

manifest=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"][7:])' "$layout/index.json")
mapfile -t blobs < <(/usr/bin/python3 -c 'import json,sys; [print(l["digest"][7:]) for l in json.load(open(sys.argv[1]))["layers"]]' "$layout/blobs/sha256/$manifest")
compressed=0; expanded=0
for blob in "${blobs[@]}"; do
  compressed=$((compressed + $(stat -c %s "$layout/blobs/sha256/$blob")))
  expanded=$((expanded + $(gzip -dc "$layout/blobs/sha256/$blob" | wc -c)))
done
echo "image: ${#blobs[@]} layers, $((compressed >> 20)) MiB compressed, $((expanded >> 20)) MiB uncompressed"

now() { date +%s.%N; }
best() { sort -g | head -1; }

gzip_times=()
for _ in 1 2 3; do
  start=$(now)
  for blob in "${blobs[@]}"; do gzip -dc "$layout/blobs/sha256/$blob" > /dev/null; done
  gzip_times+=("$(echo "$(now) - $start" | bc)")
done
gzip_s=$(printf '%s\n' "${gzip_times[@]}" | best)
echo "gzip -dc (all layers, best of 3): ${gzip_s} s"

cache="$work/cache"
cold_line=""
cold_best=""
for _ in 1 2 3; do
  rm -rf "$cache"
  line=$("$bench" scan "oci:$layout:bench" --cache "$cache")
  ms=$(sed 's/.*scan_ms=\([0-9.]*\).*/\1/' <<< "$line")
  if [ -z "$cold_best" ] || [ "$(echo "$ms < $cold_best" | bc)" = 1 ]; then cold_best=$ms; cold_line=$line; fi
done
echo "cold scan (best of 3): $cold_line"
echo "cold / gzip -dc: $(echo "scale=2; $cold_best / 1000 / $gzip_s" | bc)x"

best_of_5() {  # best_of_5 LABEL ARGS... : the fastest of five runs
  local label=$1 best="" best_line="" line ms
  shift
  for _ in 1 2 3 4 5; do
    line=$("$bench" scan "oci:$layout:bench" --cache "$cache" "$@")
    ms=$(sed 's/.*scan_ms=\([0-9.]*\).*/\1/' <<< "$line")
    if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; best_line=$line; fi
  done
  echo "$label (best of 5): $best_line"
}
best_of_5 "warm scan, layer cache"
"$bench" scan "oci:$layout:bench" --cache "$cache" --inventory-cache > /dev/null  # fills it
best_of_5 "warm scan, inventory cache" --inventory-cache
/usr/bin/time -f "warm scan (inventory cache), whole process: %e s elapsed, %M KiB max RSS" \
  "$bench" scan "oci:$layout:bench" --cache "$cache" --inventory-cache > /dev/null

VIGIL_BENCH_IMAGE="oci:$layout:bench" VIGIL_BENCH_CACHE="$cache" "$bench" \
  --benchmark_filter='BM_FunctionBundles|BM_WarmImageScan' --benchmark_counters_tabular=true
