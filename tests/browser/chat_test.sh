#!/usr/bin/env bash
# The tour's chat room in a real browser: starts the chat_room example as a server (`--serve 0`: a free
# port on 127.0.0.1), runs chat_e2e.mjs against it (headless Chromium: two pages, a message typed in
# one must show in the other) and stops the server.
#
#   chat_test.sh CHAT_ROOM_PROGRAM SCREENSHOT.png
#
# Exit 0 when the message crossed; 77 (ctest's SKIP_RETURN_CODE) only when AIO_SKIP_BROWSER=1 is set;
# 1 for anything else, a missing Chromium, Node.js or playwright-core included: those fail loudly.
set -euo pipefail

program=$1
screenshot=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ${AIO_SKIP_BROWSER:-0} == 1 ]]; then
  echo "chat_test: skipped (AIO_SKIP_BROWSER=1)"
  exit 77
fi
fix="run scripts/install-deps.sh, or set AIO_SKIP_BROWSER=1 to skip this test"
command -v node >/dev/null || { echo "chat_test: FAILED: node (Node.js) not found; $fix" >&2; exit 1; }
[[ -x ${AIO_CHROMIUM:-/usr/bin/chromium} ]] ||
  { echo "chat_test: FAILED: ${AIO_CHROMIUM:-/usr/bin/chromium} not found; $fix" >&2; exit 1; }
[[ -f $here/node_modules/playwright-core/package.json ]] ||
  { echo "chat_test: FAILED: $here/node_modules/playwright-core missing; $fix" >&2; exit 1; }

log=$(mktemp)
"$program" --serve 0 >"$log" 2>&1 &
server=$!
cleanup() {
  if [[ -n $server ]]; then kill -KILL "$server" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

# The server prints "serving on http://127.0.0.1:PORT/chat" once it listens (10 s at most).
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*/chat' "$log" | head -n 1 || true)
  [[ -n $url ]] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $url ]]; then
  echo "chat_test: FAILED: the chat server did not start; its output:" >&2
  cat "$log" >&2
  exit 1
fi
echo "chat_test: server at $url"

status=0
node "$here/chat_e2e.mjs" "$url" "$screenshot" || status=$?

# SIGTERM: the server shuts down gracefully and exits 0 (10 s at most).
kill -TERM "$server"
for _ in $(seq 100); do
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
server_status=0
if kill -0 "$server" 2>/dev/null; then
  echo "chat_test: FAILED: the server did not stop within 10 s of SIGTERM" >&2
  server_status=1
else
  wait "$server" || server_status=$?
  server=
  if [[ $server_status -ne 0 ]]; then echo "chat_test: FAILED: the server exited with $server_status" >&2; fi
fi
echo "chat_test: the server's output:"
sed 's/^/  | /' "$log"
if [[ $status -eq 0 && $server_status -eq 0 ]]; then echo "chat_test: passed"; exit 0; fi
exit 1
