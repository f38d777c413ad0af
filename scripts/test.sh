#!/usr/bin/env bash
# THE test command (README, .ci/run): installs the dependencies, then
#   1. release build (g++): the whole ctest suite, with the minute-long soak (label `soak`), which the
#      other suites skip
#   2. asan-ubsan build: the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. tsan build: the tests labelled `threads` under ThreadSanitizer
#   4. clang build (clang++ with ASan + UBSan, warnings are errors): the whole suite
#   5. consumers: `cmake --install` into a prefix, then tests/install's programs are built four ways:
#      find_package(aio CONFIG COMPONENTS ...), add_subdirectory, FetchContent and pkg-config
#   6. clang-tidy on every source (the repo's .clang-tidy; findings are errors)
#   7. clang-format --dry-run --Werror on every *.hpp / *.cpp (the docs' examples too)
#   8. epoll: the release suite again with AIO_BACKEND=epoll (the default, automatic, picks io_uring
#      where the kernel allows it, so the two runs cover both backends)
#   9. fuzz: every libFuzzer harness in tests/fuzz for AIO_FUZZ_SECONDS (default 20) from its corpus
# Every step runs even when an earlier one failed; the exit status is non-zero if any failed.
# Build directories (build/<preset>) are kept, so a rerun is incremental.
#
# Environment: AIO_JOBS (default 2) for the build and ctest; AIO_BUILD_ROOT (default build) to put the
# build directories elsewhere; AIO_STEPS to run a subset, e.g. AIO_STEPS="release format".
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
jobs=${AIO_JOBS:-2}
build_root=${AIO_BUILD_ROOT:-build}
steps=${AIO_STEPS:-"release epoll asan-ubsan tsan clang install tidy format fuzz"}
fuzz_seconds=${AIO_FUZZ_SECONDS:-20}

# A compiler cache kept outside the clone: a fresh clone of a commit this machine has built before
# compiles nothing again. The base dir makes the clone's path irrelevant to the cache key; the
# sloppiness lets precompiled headers (the tests' PCH) be cached too. Header mtimes are still checked:
# a header written while a build runs is never cached under its old contents. Called after the
# dependencies are installed: on a fresh machine ccache arrives with them, and a first run that built
# without it would also leave build directories whose every command changes on the next run.
use_compiler_cache() {
  if command -v ccache >/dev/null 2>&1; then
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache
    export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
    export CCACHE_SLOPPINESS=pch_defines,time_macros
  fi
}

passed=()
failed=()
declare -A step_seconds=()
declare -A step_cache=()
started=$(date +%s)

note() { printf '\n==== %s ====\n' "$*"; }

run_step() {
  local name=$1
  shift
  local t0
  t0=$(date +%s)
  note "$name"
  mkdir -p "$build_root/logs"
  # The compiler cache's hits and misses per step say whether a slow step was cold.
  [[ -n ${CMAKE_CXX_COMPILER_LAUNCHER:-} ]] && ccache -z >/dev/null 2>&1
  # Each step's output is kept, so that the summary can say why a step failed: a CI log is often read
  # from its end only.
  if "$@" 2>&1 | tee "$build_root/logs/$name.log"; then
    passed+=("$name")
  else
    failed+=("$name")
  fi
  step_seconds[$name]=$(($(date +%s) - t0))
  if [[ -n ${CMAKE_CXX_COMPILER_LAUNCHER:-} ]]; then
    step_cache[$name]=$(ccache --print-stats 2>/dev/null | awk '
      $1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { hit += $2 }
      $1 == "cache_miss" { miss += $2 }
      END { if (hit + miss > 0) printf "compiles: %d cached, %d compiled", hit, miss }')
  fi
  note "$name: $([[ " ${failed[*]} " == *" $name "* ]] && echo FAILED || echo ok) (${step_seconds[$name]} s)"
}

wants() { [[ " $steps " == *" $1 "* ]]; }

configure_and_build() {
  local preset=$1
  cmake --preset "$preset" -B "$build_root/$preset" >/dev/null &&
    cmake --build "$build_root/$preset" -j "$jobs"
}

# ctest --test-dir rather than --preset, so that AIO_BUILD_ROOT works; the sanitizer options below
# mirror the test presets in CMakePresets.json.
suite() {
  local preset=$1
  shift
  configure_and_build "$preset" &&
    ctest --test-dir "$build_root/$preset" -j "$jobs" --output-on-failure --no-tests=error "$@"
}

# ASan + UBSan over the whole suite with both compilers: g++ (asan-ubsan) and clang++ (clang).
sanitized_suite() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 suite "$1" -LE soak
}

tsan_suite() {
  # Kernels with high mmap randomisation (vm.mmap_rnd_bits = 32) break g++ 12's TSan runtime; running
  # without address-space randomisation avoids that where setarch is allowed.
  local norandom=()
  if setarch "$(uname -m)" -R true 2>/dev/null; then norandom=(setarch "$(uname -m)" -R); fi
  # Only the `threads` tests run under TSan, so build only their executables: the build lists them
  # (tests/CMakeLists.txt writes threads_targets.txt when it is configured).
  local targets=()
  cmake --preset tsan -B "$build_root/tsan" >/dev/null || return 1
  IFS=';' read -r -a targets <"$build_root/tsan/threads_targets.txt" || return 1
  echo "tsan: ${#targets[@]} targets"
  cmake --build "$build_root/tsan" -j "$jobs" --target "${targets[@]}" &&
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp "${norandom[@]}" \
      ctest --test-dir "$build_root/tsan" -j "$jobs" --output-on-failure --no-tests=error -L threads
}

# The consumers (tests/install) four ways. Their build directories live under the build root, not in
# /tmp, so that the compiler cache serves them on the next run too.
install_check() {
  local dir prefix src pc_flags libs
  dir=$(realpath -m "$build_root/consumers")
  prefix=$dir/prefix
  rm -rf "$prefix"
  configure_and_build release || return 1
  cmake --install "$build_root/release" --prefix "$prefix" >/dev/null || return 1
  echo "installed into $prefix"
  consume() {  # consume <mode> <target|all> <extra cmake args...>: configure, build, run the consumers
    local mode=$1 target=$2
    shift 2
    echo "-- consumer: $mode"
    cmake -S tests/install -B "$dir/$mode" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIO_CONSUME="$mode" "$@" \
      >/dev/null &&
      cmake --build "$dir/$mode" -j "$jobs" --target "$target" &&
      "$dir/$mode/core_consumer" || return 1
    if [[ -x "$dir/$mode/http_pg_consumer" ]]; then
      "$dir/$mode/http_pg_consumer" && "$dir/$mode/aio_consumer" || return 1
    fi
    # aio::core alone links none of the other components' libraries.
    libs=$(ldd "$dir/$mode/core_consumer")
    if grep -E 'libssl|libcrypto|libpq|libsqlite3|libz\.' <<<"$libs"; then
      echo "core_consumer links more than aio::core needs"
      return 1
    fi
  }
  # 1. find_package(aio CONFIG REQUIRED COMPONENTS ...) on the installed tree
  consume package all -DCMAKE_PREFIX_PATH="$prefix" || return 1
  # 2. add_subdirectory of this tree and 3. FetchContent from this clone: each builds aio::core again from
  # its sources (only the core consumer, to keep the step short; the package and pkg-config ways cover
  # every component), and the compiler cache serves both on a rerun.
  rm -f "$dir"/{subdirectory,fetchcontent}/*_consumer
  consume subdirectory core_consumer -DAIO_SOURCE_DIR="$PWD" || return 1
  if git rev-parse HEAD >/dev/null 2>&1; then
    consume fetchcontent core_consumer -DAIO_SOURCE_DIR="$PWD" -DAIO_GIT_TAG="$(git rev-parse HEAD)" || return 1
  fi
  # 4. pkg-config, straight from the installed .pc files (relocatable: ${pcfiledir}-relative)
  for src in core:core_main http:http_pg_main aio:main; do
    local pc=aio-${src%%:*} file=${src#*:}
    [[ $pc == aio-aio ]] && pc=aio
    [[ $pc == aio-http ]] && pc="aio-http aio-pg"
    # shellcheck disable=SC2086 # $pc may name two packages
    pc_flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs $pc) || return 1
    echo "pkg-config $pc: $pc_flags"
    # shellcheck disable=SC2086 # the flags are meant to be split into words
    ${CMAKE_CXX_COMPILER_LAUNCHER:-} g++ -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror -O1 -o "$dir/pc_$file" "tests/install/$file.cpp" \
      $pc_flags && "$dir/pc_$file" || return 1
  done
}

tidy_check() {
  # clang-tidy (the repo's .clang-tidy, warnings are errors) on every source, with the release build's
  # compile_commands.json; the headers they include are checked through them (HeaderFilterRegex). A file
  # whose bytes, headers, command and tidy configuration match an earlier clean run is not checked again
  # (scripts/tidy_cached.py; the cache lives outside the clone).
  configure_and_build release || return 1
  AIO_JOBS=$jobs python3 scripts/tidy_cached.py "$build_root/release"
}

epoll_suite() {
  # The whole suite against the epoll backend: AIO_BACKEND steers backend::automatic.
  configure_and_build release || return 1
  AIO_BACKEND=epoll ctest --test-dir "$build_root/release" -j "$jobs" --output-on-failure --no-tests=error -LE soak
}

fuzz_run() {
  # libFuzzer needs clang; each harness starts from its checked-in corpus (copied: findings stay out of
  # the tree) and runs for a bounded time. A crash fails the step and leaves its reproducer in the log.
  local dir="$build_root/fuzz" f name work
  # Release, not RelWithDebInfo: clang 14 fails on debug info of some coroutines under these sanitizers
  # ("Cannot represent a difference across sections").
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIO_BUILD_FUZZ=ON \
    -DAIO_BUILD_TESTS=OFF -DAIO_BUILD_EXAMPLES=OFF -DAIO_BUILD_BENCH=OFF >/dev/null || return 1
  local targets=()
  for f in tests/fuzz/*_fuzz.cpp; do targets+=("aio_$(basename "$f" .cpp)"); done
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}" || return 1
  for f in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$f" .cpp)
    work=$(mktemp -d)
    cp -r "tests/fuzz/corpus/${name%_fuzz}/." "$work/" 2>/dev/null || true
    echo "fuzz: $name for ${fuzz_seconds} s"
    "$dir/aio_$name" -max_total_time="$fuzz_seconds" -max_len=8192 -print_final_stats=1 "$work" 2>&1 | tail -4 ||
      { rm -rf "$work"; return 1; }
    rm -rf "$work"
  done
}

format_check() {
  local files
  mapfile -t files < <(find include src tools tests examples bench docs \( -name '*.hpp' -o -name '*.cpp' \) -type f 2>/dev/null | sort)
  echo "clang-format: ${#files[@]} files"
  [[ ${#files[@]} -eq 0 ]] || clang-format --dry-run --Werror "${files[@]}"
}

run_step deps scripts/install-deps.sh
use_compiler_cache
wants release && run_step release suite release
wants epoll && run_step epoll epoll_suite
wants asan-ubsan && run_step asan-ubsan sanitized_suite asan-ubsan
wants tsan && run_step tsan tsan_suite
wants clang && run_step clang sanitized_suite clang
wants install && run_step install install_check
wants tidy && run_step tidy tidy_check
wants format && run_step format format_check
wants fuzz && run_step fuzz fuzz_run

note "summary after $(($(date +%s) - started)) s"
for s in "${passed[@]}"; do printf '  ok      %-12s %5s s  %s\n' "$s" "${step_seconds[$s]}" "${step_cache[$s]:-}"; done
for s in "${failed[@]}"; do printf '  FAILED  %-12s %5s s  %s\n' "$s" "${step_seconds[$s]}" "${step_cache[$s]:-}"; done
for s in "${failed[@]}"; do
  echo "---- why $s failed (the last matching lines of $build_root/logs/$s.log) ----"
  grep -E '\*\*\*(Failed|Timeout|Exception)|^\[  FAILED  \]|: Failure$|error:|ERROR: |runtime error:|FAILED:|tests failed' \
    "$build_root/logs/$s.log" | tail -n 25
done
echo "test.sh: ${#passed[@]} passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
