#!/usr/bin/env bash
# Builds RDK's SecAPI 3 client test suite (rdkcentral/tasecureapi,
# reference/src/client/test, v3.4.1) against gotee's SecAPI headers and
# libsaclient, out of tree, and runs it against a teed started from BUILD_DIR.
# Nothing of RDK's is copied into this repository: the suite, its util library,
# and the OpenSSL engine/provider and public-key helpers it links (client/src,
# RDK code over the public sa_* API) are compiled from the checkout into WORK.
#
# Usage: scripts/secapi-rdk-tests.sh CHECKOUT [BUILD_DIR]
#   CHECKOUT   a checkout of rdkcentral/tasecureapi (tag SecApi-3.4.1)
#   BUILD_DIR  gotee's build directory (default: build/ next to this script)
# Environment: SA_RDK_WORK (work directory, default a new temporary one),
#   SA_RDK_FILTER (a --gtest_filter, default all), SA_RDK_JOBS (make -j),
#   SA_RDK_SOC=1 (also build the cases RDK guards with ENABLE_SOC_KEY_TESTS: root
#   key ladders and SoC containers, which need the provisioned test keystore).
# Needs cmake, a C++ compiler, googletest (libgtest-dev, libgmock-dev) and
# OpenSSL 3 (libssl-dev). Prints the failing suites, then one line:
#   "rdk suite: N tests, P passed, F failed, S skipped".
# Exits non-zero only if the suite does not build or run.
set -euo pipefail
src=$(cd "${1:?usage: secapi-rdk-tests.sh CHECKOUT [BUILD_DIR]}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${2:-$here/build}" && pwd)
work=${SA_RDK_WORK:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
ref=$src/reference
[ -d "$ref/src/client/test" ] || { echo "$src is not a tasecureapi checkout" >&2; exit 2; }
[ -f "$build/lib/libsaclient.so" ] || { echo "$build/lib/libsaclient.so missing: make build" >&2; exit 2; }

# RDK's OpenSSL glue headers (not part of gotee's API) go in a directory of
# their own, after gotee's: every #include "sa.h" finds gotee's sa.h.
mkdir -p "$work/glue/include"
cp -p "$ref/src/client/include/sa_engine.h" "$ref/src/client/include/sa_provider.h" "$work/glue/include/"

cat >"$work/glue/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(sardktests C CXX)
set(CMAKE_CXX_STANDARD 14)
find_package(OpenSSL 3 REQUIRED)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)
include_directories(BEFORE "$build/include")
include_directories("$work/glue/include" "$ref/src/util/include" "$ref/src/client/src" \${OPENSSL_INCLUDE_DIR})
add_compile_options(-Wno-deprecated-declarations)
if("${SA_RDK_SOC:-}" STREQUAL "1")
	add_compile_definitions(ENABLE_SOC_KEY_TESTS)
endif()
file(GLOB util_src "$ref/src/util/src/*.c" "$ref/src/util/src/*.cpp")
file(GLOB helper_src "$ref/src/client/src/*.c")
file(GLOB test_src "$ref/src/client/test/*.cpp")
add_library(rdkhelpers STATIC \${util_src} \${helper_src})
add_executable(saclienttest \${test_src})
target_link_libraries(saclienttest PRIVATE rdkhelpers GTest::gtest_main GTest::gmock
	-L$build/lib -lsaclient -Wl,-rpath,$build/lib OpenSSL::Crypto Threads::Threads)
CMAKE

cmake -S "$work/glue" -B "$work/obj" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
	{ cat "$work/cmake.log"; exit 1; }
make -C "$work/obj" -j"${SA_RDK_JOBS:-$(nproc)}" >"$work/make.log" 2>&1 ||
	{ tail -50 "$work/make.log"; exit 1; }

# teed on BUILD_DIR's TAs, with its own socket and storage.
export TEE_SOCKET=$work/teed.sock
rm -f "$TEE_SOCKET"
"$build/bin/teed" --socket "$TEE_SOCKET" --ta-dir "$build/ta" --storage "$work/storage" \
	--log-level warn 2>"$work/teed.log" &
teed=$!
trap 'kill -TERM $teed 2>/dev/null && wait $teed || true' EXIT
for _ in $(seq 100); do [ -S "$TEE_SOCKET" ] && break; sleep 0.05; done
[ -S "$TEE_SOCKET" ] || { cat "$work/teed.log"; echo "teed did not start" >&2; exit 1; }

# RDK's tests build containers and ladder inputs for their test keystore's root keys:
# provision it (as root; the SecAPI TA refuses anyone else). The suite reads the same
# file for its side of the vectors from the run directory.
mkdir -p "$work/run"
cp "$ref/test/root_keystore.p12" "$work/run/" 2>/dev/null || true
if [ "$(id -u)" = 0 ] && [ -x "$build/bin/secapi-provision" ]; then
	"$build/bin/secapi-provision" -p12 "$ref/test/root_keystore.p12" >"$work/provision.log" 2>&1 ||
		{ cat "$work/provision.log"; echo "provisioning RDK's test keystore failed" >&2; exit 1; }
else
	echo "not root: RDK's test keystore is not provisioned (root key ladder, SoC cases will fail)" >&2
fi
cd "$work/run"
status=0
../obj/saclienttest --gtest_filter="${SA_RDK_FILTER:-*}" --gtest_output="xml:$work/results.xml" \
	>"$work/test.log" 2>&1 || status=$?
if [ ! -s "$work/results.xml" ]; then
	tail -30 "$work/test.log"
	echo "the suite stopped (exit $status) before writing its results" >&2
	exit 1
fi

# Counts from the XML report; failing cases grouped by test suite.
total=$(grep -c '<testcase ' "$work/results.xml" || true)
skipped=$(grep -c 'result="skipped"' "$work/results.xml" || true)
failedn=$(grep -c '<failure ' "$work/results.xml" || true)
failed_cases=$(awk '/<testcase /{name=$0} /<failure /{if (name!=last) {print name; last=name}}' "$work/results.xml" |
	sed -n 's/.* classname="\([^"]*\)".*/\1/p')
nfailed=$(printf '%s\n' "$failed_cases" | grep -c . || true)
passed=$((total - nfailed - skipped))
echo "failing cases by suite:"
# grep finds nothing when every case passes: not a failure of the script.
printf '%s\n' "$failed_cases" | { grep . || true; } | sed 's#/[0-9]*$##; s#^[^/]*/##' | sort | uniq -c | sort -rn | head -40
echo "logs and results.xml in $work (failure assertions: $failedn)"
echo "rdk suite: $total tests, $passed passed, $nfailed failed, $skipped skipped"
