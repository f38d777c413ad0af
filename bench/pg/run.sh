#!/bin/sh
# Runs aio_pg_bench against a private PostgreSQL 15 (unix socket, fsync off, as tests/integration/pg's
# server), REPEAT times (default 3). Usage: bench/pg/run.sh BUILD_DIR [N] [REPEAT]
set -eu
build=${1:?usage: run.sh BUILD_DIR [N] [REPEAT]}
n=${2:-10000}
repeat=${3:-3}
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/aio-pg-bench-XXXXXX)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
cleanup() { as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync --locale=C >/dev/null
port=$((20000 + $$ % 10000))
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null
i=1
while [ "$i" -le "$repeat" ]; do
  echo "run $i (N=$n)"
  "$build/bench/aio_pg_bench" "host=$dir port=$port user=postgres dbname=postgres" "$n"
  i=$((i + 1))
done
