#!/usr/bin/env bash
# The live dashboard in a real browser: starts docs/examples/dashboard_program.cpp with its dashboard on
# a free loopback port, runs dashboard_e2e.mjs against it (headless Chromium: a task appears with its
# await edge and disappears, a malformed request gets 400) and stops the program with SIGTERM.
#
#   dashboard_test.sh DASHBOARD_PROGRAM SCREENSHOT.png
#
# Exit 0 when the page followed the program; 77 (ctest's SKIP_RETURN_CODE) only when AIO_SKIP_BROWSER=1
# is set; 1 for anything else, a missing Chromium, Node.js or playwright-core included.
set -euo pipefail

program=$1
screenshot=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ${AIO_SKIP_BROWSER:-0} == 1 ]]; then
  echo "dashboard_test: skipped (AIO_SKIP_BROWSER=1)"
  exit 77
fi
fix="run scripts/install-deps.sh, or set AIO_SKIP_BROWSER=1 to skip this test"
command -v node >/dev/null || { echo "dashboard_test: FAILED: node (Node.js) not found; $fix" >&2; exit 1; }
[[ -x ${AIO_CHROMIUM:-/usr/bin/chromium} ]] ||
  { echo "dashboard_test: FAILED: ${AIO_CHROMIUM:-/usr/bin/chromium} not found; $fix" >&2; exit 1; }
[[ -f $here/node_modules/playwright-core/package.json ]] ||
  { echo "dashboard_test: FAILED: $here/node_modules/playwright-core missing; $fix" >&2; exit 1; }

log=$(mktemp)
AIO_DASHBOARD= "$program" 127.0.0.1:0 >"$log" 2>&1 &
program_pid=$!
cleanup() {
  if [[ -n $program_pid ]]; then kill -KILL "$program_pid" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

# It prints "aio: dashboard on http://127.0.0.1:PORT/ (loopback only)" and "app on http://...".
url=
app=
for _ in $(seq 100); do
  url=$(grep -o 'dashboard on http://[^ ]*' "$log" | head -n 1 | sed 's/^dashboard on //' || true)
  app=$(grep -o 'app on http://[^ ]*' "$log" | head -n 1 | sed 's/^app on //' || true)
  [[ -n $url && -n $app ]] && break
  kill -0 "$program_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $url || -z $app ]]; then
  echo "dashboard_test: FAILED: the program did not start its dashboard; its output:" >&2
  cat "$log" >&2
  exit 1
fi
grep -q 'loopback only' "$log" || { echo "dashboard_test: FAILED: no 'loopback only' notice" >&2; cat "$log" >&2; exit 1; }
echo "dashboard_test: dashboard at $url, application at $app"

status=0
node "$here/dashboard_e2e.mjs" "$url" "$app" "$screenshot" || status=$?

# SIGTERM: main returns, aio::run stops the dashboard and exits 0 (10 s at most).
kill -TERM "$program_pid"
for _ in $(seq 100); do
  kill -0 "$program_pid" 2>/dev/null || break
  sleep 0.1
done
program_status=0
if kill -0 "$program_pid" 2>/dev/null; then
  echo "dashboard_test: FAILED: the program did not stop within 10 s of SIGTERM" >&2
  program_status=1
else
  wait "$program_pid" || program_status=$?
  program_pid=
  if [[ $program_status -ne 0 ]]; then echo "dashboard_test: FAILED: the program exited with $program_status" >&2; fi
fi
echo "dashboard_test: the program's output:"
sed 's/^/  | /' "$log"
if [[ $status -eq 0 && $program_status -eq 0 ]]; then echo "dashboard_test: passed"; exit 0; fi
exit 1
