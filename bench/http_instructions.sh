#!/usr/bin/env bash
# User-space instructions per request of an HTTP server under wrk (keep-alive GET /), counted by
# callgrind. On a shared or virtual machine CPU time per request moves by ±10 % from run to run and
# hardware counters are often absent; an instruction count moves by well under 1 %, so it is what
# an A/B of a user-space change looks at. It says nothing about the kernel's part (syscalls, TCP).
#
#   bench/http_instructions.sh SERVER [SERVER...]     (each is run as: SERVER PORT; a SERVER with
#                                                     arguments is one quoted word: "http ct")
# Environment: SECS (3, the measured wrk run after a 1 s warm-up), AIO_BACKEND (passed through).
# Needs valgrind and wrk. Prints one line per server: requests counted and instructions per request.
set -euo pipefail
secs=${SECS:-3}
[ $# -ge 1 ] || { echo "usage: $0 SERVER [SERVER...]" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for server in "$@"; do
  port=$((22000 + RANDOM % 2000))
  # Collection runs from the start; the warm-up is zeroed away below.
  # shellcheck disable=SC2086 # $server is a command and its arguments
  setsid valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" $server "$port" >"$out/log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do ss -ltn | grep -q ":$port " && break; sleep 0.1; done
  wrk -t1 -c100 -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1
  callgrind_control -z "$pid" >/dev/null
  res=$(wrk -t1 -c100 -d"${secs}s" "http://127.0.0.1:$port/" 2>&1)
  callgrind_control -d "$pid" >/dev/null  # dumps the measured part into cg.out.1
  kill -TERM -"$pid" 2>/dev/null || true
  sleep 1
  kill -KILL -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  requests=$(awk '/requests in/{print $1}' <<<"$res")
  dump=$(ls -t "$out"/cg.out.* | head -1)
  instructions=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",", "", $1); print $1}')
  echo "$server: $requests requests, $((instructions / requests)) instructions per request"
  rm -f "$out"/cg.out*
done
