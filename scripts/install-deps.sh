#!/usr/bin/env bash
# Installs every Debian package Vigil needs to build, test and benchmark (the single source of
# truth for dependencies), plus the npm reference package the differential tests compare with.
# Idempotent: re-running installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev
  # libraries
  libexpected-dev libfmt-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libarchive-dev
  libsimdjson-dev libspdlog-dev libssl-dev libcurl4-openssl-dev libcpp-httplib-dev libpugixml-dev
  librpm-dev zlib1g-dev libzstd-dev libext2fs-dev libdeflate-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # reference implementations for differential tests
  dpkg rpm python3-rpm python3-packaging
  # db5.3_load writes the BerkeleyDB rpm database (Amazon Linux 2 format) for the rpm cataloger test
  db5.3-util
  # awscli's botocore service models pin the reachability fixtures to the AWS CLI output shapes
  awscli
  # image tests build OCI layouts, docker archives and a local registry with the real tools
  umoci skopeo docker-registry
  # JSON Schema validator for the export tests (CycloneDX, SPDX and SARIF schemas)
  python3-jsonschema
  # the Inspector2 API conformance tests drive boto3 (awscli above provides /usr/bin/aws)
  python3-boto3
  # language catalogers' reference data: `go version -m`, real Debian jars (skopeo, umoci and
  # docker-registry above are the Go programs compared)
  golang-go liblog4j2-java libjackson2-databind-java
  # real-data scan test (tests/integration/realdata_scan.cmake): Debian's python3 metadata at
  # versions the PyPA advisories cover, and a debootstrap tree for the dpkg cataloger (built below)
  python3-pip python3-wheel python3-requests python3-certifi python3-pygments
  debootstrap
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js and npm: the machine image may ship its own build (which conflicts with Debian's npm
# package); install Debian's only when there is none.
if ! command -v npm >/dev/null; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi

# The npm `semver` package: the reference for SemVer ordering in the differential tests.
if [[ ! -f .deps/npm/node_modules/semver/package.json ]]; then
  if command -v npm >/dev/null; then
    mkdir -p .deps/npm
    npm install --silent --no-audit --no-fund --prefix .deps/npm semver@7 >/dev/null ||
      echo "install-deps: warning: could not install npm semver (differential semver tests will skip)"
  fi
fi
# The OASIS SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5) for the SARIF export test, as Microsoft
# ships it in the 22 KB npm package @microsoft/jest-sarif (no Debian package carries it).
sarif_schema=.deps/sarif/sarif-2.1.0-rtm.5.json
if [[ ! -s "$sarif_schema" ]] && command -v npm >/dev/null; then
  scratch=$(mktemp -d)
  if (cd "$scratch" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null &&
      tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json); then
    mkdir -p .deps/sarif
    mv "$scratch/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$sarif_schema.partial"
    mv -f "$sarif_schema.partial" "$sarif_schema"
  else
    echo "install-deps: warning: could not fetch the SARIF schema (the SARIF schema tests fail under VIGIL_REQUIRE_REFERENCE=1)"
  fi
  rm -rf "$scratch"
fi

# A `debootstrap --variant=minbase bookworm` tree: the dpkg cataloger is compared with dpkg-query
# on it and `vigil scan rootfs` runs over it (VIGIL_BOOKWORM_ROOT, exported by scripts/test).
# Built once into a scratch directory and renamed into place only after debootstrap succeeded,
# so an interrupted run never leaves a tree that looks complete. Failure only warns here; the
# tests then fail under VIGIL_REQUIRE_REFERENCE=1. VIGIL_DEBIAN_MIRROR overrides the mirror.
bookworm=.deps/bookworm-minbase
build_bookworm() {
  local partial="$bookworm.partial"
  local mirror="${VIGIL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if ! sudo -n true 2>/dev/null; then
      echo "debootstrap needs root (or password-less sudo)"
      return 1
    fi
    sudo="sudo -n"
  fi
  # A previous run may have died inside debootstrap with /proc or /sys still mounted there.
  local mount
  while read -r mount; do
    $sudo umount -l "$mount" || true
  done < <(awk -v p="$(realpath -m "$partial")/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r)
  $sudo rm -rf --one-file-system "$partial"
  mkdir -p .deps
  local started=$SECONDS
  echo "install-deps: debootstrap --variant=minbase bookworm into $bookworm (once; about 2 minutes)"
  if ! $sudo timeout 900 /usr/sbin/debootstrap --variant=minbase bookworm "$partial" "$mirror" \
      >.deps/bookworm-minbase.log 2>&1; then
    tail -n 20 .deps/bookworm-minbase.log
    return 1
  fi
  if [[ ! -s "$partial/var/lib/dpkg/status" ]]; then
    echo "debootstrap left no dpkg status file"
    return 1
  fi
  $sudo rm -rf --one-file-system "$bookworm"
  $sudo mv -T "$partial" "$bookworm" || return 1
  echo "install-deps: bookworm tree built in $((SECONDS - started))s"
}
if [[ ! -s "$bookworm/var/lib/dpkg/status" ]]; then
  if ! build_bookworm; then
    echo "install-deps: ##########################################################################"
    echo "install-deps: WARNING: could not build $bookworm (see .deps/bookworm-minbase.log);"
    echo "install-deps: WARNING: the debootstrap tests fail under VIGIL_REQUIRE_REFERENCE=1."
    echo "install-deps: ##########################################################################"
  fi
fi
echo "install-deps: ok"
