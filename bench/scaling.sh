#!/usr/bin/env bash
# Multi-core scaling: each server pinned to N cores (N = 1, 2, 4, ...), the load generator pinned to
# other cores, one markdown table per workload. Written for a machine with more cores than the
# 2-core VM aio is developed on (docs/design/multicore.md); there it runs N = 1 only.
#
#   bench/scaling.sh
#
# Workloads (WORKLOADS="http echo"):
#   http  keep-alive GET / -> "Hello, World!" (W4), driven by wrk -t L -c C
#   echo  64-byte ping-pong, one message in flight per connection (W3), driven by one instance of the
#         peers' C client (loadclient/echo_load.c) per load-generator core
# Servers (ONLY=<extended regex on the names> picks some):
#   aio          bench/workloads/http_server.cpp (run_app workers = N) and echo_server.cpp (N loops);
#                each loop on its own thread with its own SO_REUSEPORT socket
#   tokio-mt     the peers' Tokio programs on the multi-thread runtime with N workers (their rt.rs
#                hard-codes 2 workers: a copy is built here with the count read from TOKIO_WORKERS)
#   tokio-ct     (N = 1 only) the same programs on the current-thread runtime: beside tokio-mt at
#                N = 1 it shows what the work-stealing scheduler costs on one core
#   go           the peers' Go programs with GOMAXPROCS=N
#   nginx        (http only) the peers' nginx.conf with N worker processes and `listen ... reuseport`
# A peer whose tool (cargo, go, nginx) is missing is skipped with a note.
#
# Cores: the CPUs this script may use (its affinity list) are numbered c[0] < c[1] < ...; the server
# runs on c[0..N-1] and the load generator on the last LOAD_CORES of them. NS defaults to the powers of
# two up to (cores - LOAD_CORES); an N that does not fit is refused (exit 1) before anything runs.
# On a machine with SMT, give the script one hardware thread per core (taskset -c 0-15 bench/scaling.sh).
#
# Columns: requests (round trips)/s summed over the load generators; per-core efficiency =
# throughput / (N x throughput at the smallest N, normally 1); server CPU (user+sys of the server's
# process group, from /proc) per request; server cores busy = that CPU / (N x wall time): below ~90 %
# the load generator or the balance, not the server, is the limit; busiest thread / mean = CPU of the
# server's busiest thread over the mean of its N busiest threads (1.00 is an even spread; with
# SO_REUSEPORT it shows how evenly the kernel's hash spread the connections).
#
# Environment:
#   NS ("1 2 4 ..." up to the cores there are)  LOAD_CORES (half the cores, at least 1)
#   SECS (5, measured)  WARMUP (1, unmeasured, before each point)  WORKLOADS ("http echo")  ONLY (.)
#   HTTP_CONNS_PER_CORE (100: wrk -c = this x N)  ECHO_CONNS_PER_CORE (100)  ECHO_MSG (64)
#   AIO_HTTP_SERVER, AIO_ECHO_SERVER (prebuilt binaries; otherwise built in BUILD_DIR)
#   BUILD_DIR ($WORK/build)  WORK (${TMPDIR:-/tmp}/aio-scaling: builds of the peers, logs)
#   PEERS (the peers folder: ../../shared/peers from here)  AIO_BACKEND (passed through)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export PATH="$PATH:$HOME/.cargo/bin:/usr/sbin:/sbin"

secs=${SECS:-5}
warmup=${WARMUP:-1}
workloads=${WORKLOADS:-http echo}
only=${ONLY:-.}
http_per_core=${HTTP_CONNS_PER_CORE:-100}
echo_per_core=${ECHO_CONNS_PER_CORE:-100}
echo_msg=${ECHO_MSG:-64}
work=${WORK:-${TMPDIR:-/tmp}/aio-scaling}
build=${BUILD_DIR:-$work/build}
peers=${PEERS:-$here/../../shared/peers}

die() { echo "scaling.sh: $*" >&2; exit 1; }
note() { echo "scaling.sh: $*" >&2; }

# ------------------------------------------------------------------ cores --------------------------
command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin servers and load generators"
expand_cpus() {  # "0-3,6,8-9" -> one CPU number a line
  tr ',' '\n' <<<"$1" | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done
}
mapfile -t cpus < <(expand_cpus "$(taskset -cp $$ | sed 's/.*: *//')")
ncpu=${#cpus[@]}
load_cores=${LOAD_CORES:-$((ncpu / 2 > 0 ? ncpu / 2 : 1))}
[ "$load_cores" -ge 1 ] || die "LOAD_CORES must be at least 1"
max_n=$((ncpu - load_cores))
[ "$max_n" -ge 1 ] || die "$ncpu usable core(s): none is left for a server beside $load_cores load-generator core(s)"
if [ -z "${NS:-}" ]; then
  NS=""
  for ((n = 1; n <= max_n; n *= 2)); do NS+="$n "; done
fi
read -r -a ns <<<"$NS"
[ "${#ns[@]}" -ge 1 ] || die "NS is empty"
for n in "${ns[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N=$n is not a positive number"
  if [ "$n" -gt "$max_n" ]; then
    die "N=$n needs $n server cores + $load_cores load-generator core(s), but this machine lets the script use $ncpu (CPUs ${cpus[*]}); the largest N here is $max_n"
  fi
done
load_cpus=$(IFS=,; echo "${cpus[*]:ncpu-load_cores}")
server_cpus() { local IFS=,; echo "${cpus[*]:0:$1}"; }

# ------------------------------------------------------------------ tools and builds ---------------
mkdir -p "$work/bin"
log="$work/scaling.log"
: >"$log"
case " $workloads " in *" http "*) command -v wrk >/dev/null || die "wrk is needed for the http workload (apt-get install wrk)" ;; esac

if [ -n "${AIO_HTTP_SERVER:-}" ] && [ -n "${AIO_ECHO_SERVER:-}" ]; then
  aio_http=$AIO_HTTP_SERVER
  aio_echo=$AIO_ECHO_SERVER
else
  if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    note "configuring aio in $build"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIO_BUILD_TESTS=OFF \
      -DAIO_BUILD_EXAMPLES=OFF -DAIO_BUILD_BENCH=ON "${launcher[@]}" >>"$log" 2>&1 || die "cmake failed (see $log)"
  fi
  note "building aio_http_server and aio_echo_server in $build"
  nice cmake --build "$build" -j"$(nproc)" --target aio_http_server aio_echo_server >>"$log" 2>&1 ||
    die "the aio build failed (see $log)"
  aio_http=$build/bench/aio_http_server
  aio_echo=$build/bench/aio_echo_server
fi
for b in "$aio_http" "$aio_echo"; do [ -x "$b" ] || die "no aio server at $b"; done

[ -d "$peers" ] || die "no peers folder at $peers (set PEERS)"
echo_load=$work/bin/echo_load
case " $workloads " in *" echo "*)
  ${CC:-gcc} -O2 -o "$echo_load" "$peers/loadclient/echo_load.c" >>"$log" 2>&1 || die "cannot build $peers/loadclient/echo_load.c" ;;
esac

have_tokio=0
if [ -d "$peers/rust_tokio" ] && command -v cargo >/dev/null; then
  # The peers' rt.rs builds the multi-thread runtime with 2 workers; the copy reads the count.
  # The patched copy replaces the build's sources only when it differs, so cargo rebuilds only then.
  stage=$work/rust_tokio.new
  rm -rf "$stage"
  mkdir -p "$stage" "$work/rust_tokio"
  (cd "$peers/rust_tokio" && tar --exclude=./target -cf - .) | (cd "$stage" && tar -xf -)
  chmod -R u+w "$stage"
  sed -i 's/\.worker_threads(2)/.worker_threads(std::env::var("TOKIO_WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2))/' \
    "$stage/src/rt.rs"
  diff -rq --exclude=target "$stage" "$work/rust_tokio" >/dev/null 2>&1 || cp -a "$stage/." "$work/rust_tokio/"
  rm -rf "$stage"
  if ! grep -q TOKIO_WORKERS "$work/rust_tokio/src/rt.rs"; then
    note "tokio-mt skipped: the peers' rt.rs no longer has '.worker_threads(2)' to replace"
  elif (cd "$work/rust_tokio" && nice cargo build --release --offline --quiet --bin echo --bin http) >>"$log" 2>&1; then
    have_tokio=1
  else
    note "tokio-mt skipped: its build failed (see $log)"
  fi
else
  note "tokio-mt skipped: no $peers/rust_tokio or no cargo"
fi
have_go=0
if [ -d "$peers/go" ] && command -v go >/dev/null; then
  if (cd "$peers/go" && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOCACHE="$work/gocache" \
      go build -trimpath -o "$work/bin/go_echo" ./echo &&
      GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOCACHE="$work/gocache" \
      go build -trimpath -o "$work/bin/go_http" ./http) >>"$log" 2>&1; then
    have_go=1
  else
    note "go skipped: its build failed (see $log)"
  fi
else
  note "go skipped: no $peers/go or no go"
fi
have_nginx=0
if [ -f "$peers/nginx/nginx.conf.in" ] && command -v nginx >/dev/null; then have_nginx=1; else note "nginx skipped: not installed"; fi

# nginx_cmd N PORT: writes a config with N worker processes, each with its own reuseport socket.
nginx_cmd() {
  local prefix="$work/nginx-$2"
  rm -rf "$prefix"
  mkdir -p "$prefix/tmp" "$prefix/logs"
  sed -e "s|@PORT@|$2|g" -e "s|@PREFIX@|$prefix|g" -e 's/^master_process off;/master_process on;/' \
    -e "s/^worker_processes .*/worker_processes $1;/" -e 's/\(listen [^;]*\);/\1 reuseport;/' \
    "$peers/nginx/nginx.conf.in" >"$prefix/nginx.conf"
  echo "nginx -p $prefix -c $prefix/nginx.conf"
}

# server_cmd WORKLOAD PEER N PORT -> the command line (empty: not available)
server_cmd() {
  case "$1:$2" in
    http:aio) echo "$aio_http $4 $3" ;;
    echo:aio) echo "$aio_echo $4 $3" ;;
    http:tokio-mt) [ "$have_tokio" = 1 ] && echo "env TOKIO_WORKERS=$3 $work/rust_tokio/target/release/http mt $4" ;;
    echo:tokio-mt) [ "$have_tokio" = 1 ] && echo "env TOKIO_WORKERS=$3 $work/rust_tokio/target/release/echo mt $4" ;;
    http:tokio-ct) [ "$have_tokio" = 1 ] && [ "$3" = 1 ] && echo "$work/rust_tokio/target/release/http ct $4" ;;
    echo:tokio-ct) [ "$have_tokio" = 1 ] && [ "$3" = 1 ] && echo "$work/rust_tokio/target/release/echo ct $4" ;;
    http:go) [ "$have_go" = 1 ] && echo "env GOMAXPROCS=$3 $work/bin/go_http $4" ;;
    echo:go) [ "$have_go" = 1 ] && echo "env GOMAXPROCS=$3 $work/bin/go_echo $4" ;;
    http:nginx) [ "$have_nginx" = 1 ] && nginx_cmd "$3" "$4" ;;
  esac
  return 0
}
peer_names=(aio tokio-mt tokio-ct go nginx)

# ------------------------------------------------------------------ measuring ----------------------
server=""
clients=()
stop_server() {
  if [ -n "$server" ]; then
    kill -TERM -- "-$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
cleanup() {
  for c in "${clients[@]}"; do kill "$c" 2>/dev/null || true; done
  stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 10000))
next_port() {
  port=$((port + 1))
  while port_open "$port"; do port=$((port + 1)); done
}

# start_server CPUS CMD: in its own process group, pinned; waits until $port listens.
start_server() {
  # shellcheck disable=SC2086 # $2 is a command and its arguments
  setsid taskset -c "$1" $2 >>"$log" 2>&1 &
  server=$!
  for _ in $(seq 150); do
    if port_open "$port"; then sleep 0.2; return 0; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  stop_server
  return 1
}

hz=$(getconf CLK_TCK)
# thread_ticks: "tid ticks" (user+sys) for every thread of every process in the server's group
thread_ticks() {
  local p
  for p in $(pgrep -g "$server" 2>/dev/null || echo "$server"); do
    for t in /proc/"$p"/task/*; do
      awk -v t="${t##*/}" '{ sub(/^.*\) /, ""); print t, $12 + $13 }' "$t/stat" 2>/dev/null || true
    done
  done
}
# cpu_summary BEFORE AFTER N -> "total_seconds busiest/mean" over the N busiest threads
cpu_summary() {
  awk -v n="$3" -v hz="$hz" 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; print d }' "$1" "$2" |
    sort -rn | awk -v n="$3" -v hz="$hz" '{ all += $1 } NR <= n { top += $1; if (NR == 1) max = $1 }
      END { mean = top / n; printf "%.3f %s\n", all / hz, (mean > 0 ? sprintf("%.2f", max / mean) : "n/a") }'
}
now_s() { date +%s.%N; }

results=$work/results.tsv
: >"$results"
# measure WORKLOAD PEER N: one point; appends "workload peer n rate cpu_s count wall busiest" to results
measure() {
  local wl=$1 peer=$2 n=$3 cmd conns rate count t0 t1 before after
  next_port
  cmd=$(server_cmd "$wl" "$peer" "$n" "$port")
  [ -n "$cmd" ] || return 0
  if ! start_server "$(server_cpus "$n")" "$cmd"; then
    note "$wl $peer N=$n: the server did not start (see $log)"
    printf '%s\t%s\t%s\tfailed\n' "$wl" "$peer" "$n" >>"$results"
    return 0
  fi
  before=$work/ticks.before
  after=$work/ticks.after
  if [ "$wl" = http ]; then
    conns=$((http_per_core * n))
    [ "$conns" -ge "$load_cores" ] || conns=$load_cores
    local url="http://127.0.0.1:$port/" out
    if command -v curl >/dev/null && [ "$(curl -s --max-time 5 "$url")" != "Hello, World!" ]; then
      note "http $peer N=$n: GET / did not answer 'Hello, World!'"
      printf '%s\t%s\t%s\tfailed\n' "$wl" "$peer" "$n" >>"$results"
      stop_server
      return 0
    fi
    taskset -c "$load_cpus" wrk -t"$load_cores" -c"$conns" -d"${warmup}s" "$url" >/dev/null 2>&1 || true
    thread_ticks >"$before"
    t0=$(now_s)
    out=$(taskset -c "$load_cpus" wrk -t"$load_cores" -c"$conns" -d"${secs}s" "$url" 2>&1) || true
    t1=$(now_s)
    thread_ticks >"$after"
    echo "$out" >>"$log"
    rate=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    count=$(awk '/requests in/ { print $1 }' <<<"$out")
  else
    conns=$((echo_per_core * n))
    [ "$conns" -ge "$load_cores" ] || conns=$load_cores
    local i c k outs=()
    clients=()
    thread_ticks >"$before"
    t0=$(now_s)
    for ((i = 0; i < load_cores; i++)); do
      c=$(cut -d, -f$((i + 1)) <<<"$load_cpus")
      k=$((conns / load_cores + (i < conns % load_cores ? 1 : 0)))
      outs+=("$work/echo.$i")
      taskset -c "$c" "$echo_load" 127.0.0.1 "$port" "$k" "$echo_msg" "$secs" "$warmup" 2000000000 1 \
        >"$work/echo.$i" 2>>"$log" &
      clients+=($!)
    done
    for c in "${clients[@]}"; do wait "$c" || true; done
    clients=()
    t1=$(now_s)
    thread_ticks >"$after"
    cat "${outs[@]}" >>"$log"
    # rate: round trips/s in the measured window, summed; count: all round trips (CPU covers warm-up)
    rate=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' "${outs[@]}" | awk '{ s += $1 } END { if (NR) print s }')
    count=$(sed -n 's/.*rt_total=\([0-9]*\).*/\1/p' "${outs[@]}" | awk '{ s += $1 } END { if (NR) print s }')
    [ "$(grep -c 'rt_total=' "${outs[@]}" | awk -F: '{ s += $NF } END { print s }')" = "$load_cores" ] || rate=""
  fi
  stop_server
  if [ -z "${rate:-}" ] || [ -z "${count:-}" ] || [ "$count" = 0 ]; then
    note "$wl $peer N=$n: the load generator failed (see $log)"
    printf '%s\t%s\t%s\tfailed\n' "$wl" "$peer" "$n" >>"$results"
    return 0
  fi
  local cpu busiest
  read -r cpu busiest < <(cpu_summary "$before" "$after" "$n")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$peer" "$n" "$rate" "$cpu" "$count" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$busiest" >>"$results"
  note "$wl $peer N=$n: $rate/s"
}

note "cores: ${cpus[*]} ($ncpu); server on the first N, load generator on $load_cpus; N = ${ns[*]}"
for wl in $workloads; do
  for n in "${ns[@]}"; do
    for peer in "${peer_names[@]}"; do
      [[ "$peer" =~ $only ]] || continue
      measure "$wl" "$peer" "$n"
    done
  done
done

# ------------------------------------------------------------------ report -------------------------
echo "Scaling run $(date -u '+%Y-%m-%d %H:%M UTC'): $ncpu cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
echo "kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); server on CPUs ${cpus[0]}..(N-1),"
echo "load generator on CPUs $load_cpus; ${secs} s measured after ${warmup} s warm-up; backend ${AIO_BACKEND:-automatic}."
for wl in $workloads; do
  grep -q "^$wl	" "$results" || continue
  echo
  if [ "$wl" = http ]; then
    echo "**http**: wrk -t$load_cores -c(${http_per_core} x N), keep-alive GET / -> \"Hello, World!\""
    unit="requests/s"; per="request"
  else
    echo "**echo**: ${echo_msg}-byte ping-pong, ${echo_per_core} x N connections, $load_cores echo_load client(s)"
    unit="round trips/s"; per="round trip"
  fi
  echo
  echo "| server | N | $unit | per-core efficiency | server CPU µs/$per | server cores busy | busiest thread ÷ mean |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' -v wl="$wl" '$1 == wl { print }' "$results" | sort -t$'\t' -k2,2 -k3,3n |
    awk -F'\t' '{
      if ($4 == "failed") { printf "| %s | %s | failed | | | | |\n", $2, $3; next }
      if (!($2 in base)) { base[$2] = $4 / $3 }
      printf "| %s | %s | %.0f | %.2f | %.2f | %.0f %% | %s |\n", $2, $3, $4, ($4 / $3) / base[$2],
        $5 * 1e6 / $6, 100 * $5 / ($3 * $7), $8
    }'
done
echo
echo "(per-core efficiency = throughput / (N x throughput at the smallest N); log: $log)"
