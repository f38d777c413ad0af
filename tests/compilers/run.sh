#!/bin/sh
# Builds and runs the compiler-bug reproducers with g++ and clang++ and prints one table.
# Not part of the test suite: the reproducers are expected to fail on g++ 12.
#   tests/compilers/run.sh              the reproducers (gcc_*.cpp)
#   tests/compilers/run.sh --explore    also the experiments in explore/ (slow: ~250 builds)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
compilers="g++ clang++"

# result <compiler> <source> [flags...]: one word for the table
result() {
  cc=$1 src=$2
  shift 2
  if ! "$cc" -std=c++20 -O0 "$@" "$src" -o "$out/a.out" >"$out/build.txt" 2>&1; then
    msg=$(grep -m1 -o 'error: .*' "$out/build.txt" | cut -c8-40)
    echo "compile-error(${msg})"
    return
  fi
  if "$out/a.out" >"$out/run.txt" 2>&1; then echo "ok"; else
    asan=$(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$out/run.txt")
    echo "FAIL${asan:+(${asan#AddressSanitizer: })}"
  fi
}

printf '%-44s' "reproducer"
for cc in $compilers; do printf ' %-42s' "$cc $("$cc" -dumpversion)"; done
echo
for src in "$here"/gcc_*.cpp; do
  printf '%-44s' "$(basename "$src")"
  for cc in $compilers; do printf ' %-42s' "$(result "$cc" "$src")"; done
  echo
done

[ "${1:-}" = "--explore" ] || exit 0
echo
printf '%-44s' "explore (ASan)"
for cc in $compilers; do printf ' %-42s' "$cc"; done
echo
for d in 1 2 3; do
  printf '%-44s' "json_literal.cpp D=$d"
  for cc in $compilers; do printf ' %-42s' "$(result "$cc" "$here/explore/json_literal.cpp" -fsanitize=address -DD=$d)"; done
  echo
done
for r in "" -DREJECT; do
  printf '%-44s' "closure_detect.cpp $r"
  for cc in $compilers; do printf ' %-42s' "$(result "$cc" "$here/explore/closure_detect.cpp" $r)"; done
  echo
done
for v in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
  for c in 0 1 2 3 4 5 6 7 8; do
    printf '%-44s' "to_thread_shapes.cpp V=$v CALL=$c"
    for cc in $compilers; do printf ' %-42s' "$(result "$cc" "$here/explore/to_thread_shapes.cpp" -DV=$v -DCALL=$c)"; done
    echo
  done
done
