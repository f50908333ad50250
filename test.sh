#!/usr/bin/env bash
# Set up (install missing packages, build), then run the whole test suite with ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/setup.sh"
cd "${PIANOKPM_BUILD_DIR:-$root/build}"
ctest --output-on-failure -LE gpu -j "$(nproc)" "$@"
