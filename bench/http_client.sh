#!/usr/bin/env bash
# The HTTP client workload: N GETs of "/" at CONC in flight against one local keep-alive server,
# aio's client_session beside aiohttp's ClientSession (on uvloop) and Go's net/http, in one run.
# The server is the peers' hand-written C responder (../shared/peers/c_epoll/http_server.c: no parser,
# fixed answer), pinned to CPU 0 so that it costs every client the same; the clients run on CPU 1.
# Each client runs REPS times, interleaved; the table shows the median requests/s and its ratio to aio.
#
#   bench/http_client.sh BUILD_DIR     (BUILD_DIR holds bench/aio_http_client)
# Environment: REPS (3), N (20000), CONC (100), PEERS (../shared/peers), AIO_BACKEND (passed through).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/http_client.sh BUILD_DIR}" && pwd)
reps=${REPS:-3}
n=${N:-20000}
conc=${CONC:-100}
peers=${PEERS:-$here/../../shared/peers}
port=${PORT:-18960}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT

gcc -O2 -o "$work/http_server" "$peers/c_epoll/http_server.c"
(cd "$here/client_peers/go_client" && GOFLAGS=-mod=mod GO111MODULE=off go build -o "$work/go_client" .)
taskset -c 0 "$work/http_server" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do ss -ltn | grep -q ":$port " && break; sleep 0.05; done

url="http://127.0.0.1:$port/"
declare -A cmd=(
  [aio]="$build/bench/aio_http_client $url $n $conc"
  [aiohttp]="/usr/bin/python3 $here/client_peers/aiohttp_client.py $url $n $conc"
  [go]="$work/go_client $url $n $conc"
)
names=(aio aiohttp go)
declare -A rates
for ((r = 0; r < reps; r++)); do
  for name in "${names[@]}"; do
    out=$(taskset -c 1 ${cmd[$name]})
    if ! grep -q "errors=0" <<<"$out"; then echo "$name failed: $out" >&2; exit 1; fi
    rates[$name]+="$(awk -v o="$out" 'BEGIN { match(o, /elapsed_s=[0-9.]+/); e = substr(o, RSTART + 10, RLENGTH - 10);
      match(o, /requests=[0-9]+/); q = substr(o, RSTART + 9, RLENGTH - 9); printf "%.0f", q / e }') "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ref=$(median <<<"${rates[aio]}")
echo "N=$n CONC=$conc REPS=$reps backend=${AIO_BACKEND:-automatic} (median requests/s; aio ÷ peer)"
for name in "${names[@]}"; do
  m=$(median <<<"${rates[$name]}")
  printf '  %-8s %8s req/s   aio is %s ×\n' "$name" "$m" "$(awk -v a="$ref" -v b="$m" 'BEGIN { printf "%.2f", a / b }')"
done
