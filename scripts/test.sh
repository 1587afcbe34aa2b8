#!/bin/sh
# SPDX-License-Identifier: ISC
# Build rblmon twice, as shipped (warnings are errors) and with
# AddressSanitizer + UndefinedBehaviorSanitizer, and run the whole test
# suite (unit and end-to-end) in both. Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

for variant in release asan; do
	dir=build-test-$variant
	case $variant in
	release) extra="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
	asan) extra="-DCMAKE_BUILD_TYPE=Debug -DRBLMON_SANITIZE=ON" ;;
	esac
	echo "== $variant build"
	cmake -S . -B "$dir" -DRBLMON_WERROR=ON $extra >/dev/null
	cmake --build "$dir" -j "$jobs"
	echo "== $variant tests"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir "$dir" --output-on-failure -j "$jobs"
done
