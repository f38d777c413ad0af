#!/usr/bin/env bash
# THE main-job command (README): installs the dependencies, builds the release preset and runs the tour
# of every asyncio tutorial example in aio, on the real clock. Arguments go to aio_tour
# (`scripts/tour.sh --list`, `scripts/tour.sh gather`, `scripts/tour.sh --virtual`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${AIO_JOBS:-2}
build_dir=${AIO_BUILD_ROOT:-build}/release

scripts/install-deps.sh
cmake --preset release -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j "$jobs" --target aio_tour
exec "$build_dir/examples/aio_tour" "$@"
