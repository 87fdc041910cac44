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
  librpm-dev zlib1g-dev libzstd-dev libext2fs-dev
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
echo "install-deps: ok"
