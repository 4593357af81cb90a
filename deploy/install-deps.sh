#!/usr/bin/env bash
# install-deps.sh -- install what codeworker needs to build and test, idempotently.
#
# Everything comes from Debian's packages: the six libraries the product is
# built on (Duktape's amalgamated source, librdkafka, cJSON, libev, cmocka,
# libseccomp for the executors' system-call filter, ICU for dates in the job's
# time zone and Unicode normalization and case mapping),
# the toolchain, Node.js and npm (build time only: they bundle the libraries
# jobs may require()), kcat (an independent Kafka client the tests read topics
# with), clang for the fuzz targets, and valgrind; libcurl for sending spans to an OpenTelemetry collector; libpq for `codeworker audit`
# and the PostgreSQL server its tests start a throwaway instance of.  Packages already present
# are left alone, so a second run costs one dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  duktape-dev librdkafka-dev libcjson-dev libev-dev libcmocka-dev libseccomp-dev
  libpq-dev
  libicu-dev # Intl: ICU4C and its CLDR data (worker/intl)
  libcurl4-openssl-dev # OTLP/HTTP span export to a collector (worker/cw_otlp.c)
  kcat valgrind python3
  gnuplot-nox # the load test's plots (loadtest/README.md)
  postgresql
)
# Optional extras used when present (fuzzing, sanitizer runtimes).
extras=(clang libclang-rt-14-dev)

missing=()
for p in "${packages[@]}" "${extras[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The build bundles the job libraries (worker/libs) with Node and npm; any
# node/npm on PATH will do, Debian's nodejs and npm when there is none.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs)
  missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "% all build and test dependencies are installed"
  exit 0
fi
echo "% installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# Extras are best effort: a platform without them still builds and tests the core.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${extras[@]}" >/dev/null 2>&1 ||
  echo "% note: optional packages (${extras[*]}) could not be installed"
echo "% dependencies installed"
