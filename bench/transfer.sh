#!/usr/bin/env bash
# 1 GiB through loopback: aio as receiver and as sender against the C reference (blocking sockets, one
# 64 KiB buffer). Every configuration runs REPS times, interleaved; the receiver is pinned to CPU 0 and
# the sender to CPU 1, as in ../shared/peers/run.sh. Prints the median GiB/s per configuration and
# the ratio to the C reference measured in the same run.
#
#   bench/transfer.sh BUILD_DIR        (BUILD_DIR holds bench/aio_transfer and bench/transfer_ref)
# Environment: REPS (5), BYTES (1073741824), AIO_BACKEND (passed through to aio).
set -euo pipefail
bin=${1:?usage: bench/transfer.sh BUILD_DIR}/bench
reps=${REPS:-5}
bytes=${BYTES:-1073741824}
port=${PORT:-18950}

one() {  # one SINK SENDER → GiB/s
  local sink=$1 sender=$2 out
  taskset -c 0 "$bin/$sink" sink "$port" >"/tmp/transfer.$$" 2>/dev/null &
  local pid=$!
  for _ in $(seq 50); do ss -ltn | grep -q ":$port " && break; sleep 0.05; done
  taskset -c 1 "$bin/$sender" send "$port" "$bytes"
  wait "$pid"
  out=$(cat "/tmp/transfer.$$")
  rm -f "/tmp/transfer.$$"
  awk -v o="$out" 'BEGIN { split(o, f, /[ =]/); printf "%.3f\n", f[2] / f[4] / 1073741824 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A runs
configs=("transfer_ref transfer_ref" "aio_transfer transfer_ref" "transfer_ref aio_transfer" "aio_transfer aio_transfer")
for ((r = 0; r < reps; r++)); do
  for c in "${configs[@]}"; do
    runs[$c]+="$(one $c) "
  done
done
ref=$(tr ' ' '\n' <<<"${runs[transfer_ref transfer_ref]}" | grep . | median)
echo "backend=${AIO_BACKEND:-automatic} bytes=$bytes reps=$reps (median GiB/s; ratio to C→C)"
for c in "${configs[@]}"; do
  m=$(tr ' ' '\n' <<<"${runs[$c]}" | grep . | median)
  read -r sink sender <<<"$c"
  printf '  %-13s → %-13s %6s GiB/s  %s × C\n' "$sender" "$sink" "$m" "$(awk -v a="$m" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')"
done
